"""Site: build the Jekyll site and check it in headless Chromium (check), and publish it to
the branch that GitHub Pages serves (publish).

May use everything before it, scripts.report included.
"""
