"""Site: build the Jekyll site and check it in headless Chromium (check; the browser and its
network log: browser; whether every chart fits a phone's screen: fit), publish it to the branch
that GitHub Pages serves (publish), and post a pull request's benchmark as its comment (comment).

May use everything before it, scripts.report included.
"""
