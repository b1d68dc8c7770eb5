"""Drive load against a running app: wrk with its Lua script, or the project's own Python
generator, closed loop (loadgen) or at a fixed rate (fixedrate); `drive` runs either.

May use the facts and scripts.serve (the cores a generator runs on).
"""
