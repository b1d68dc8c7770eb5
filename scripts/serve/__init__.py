"""Serve an app: start and stop it exactly as the benchmark runs it (server).

Its venv from the pins (appenv) or another version of the framework (override), the cores
it runs on (cpus), its CPU time and memory (procstats) and a CPU quota (cpuquota).
`python -m scripts.serve.server NAME` serves one until Ctrl-C.

May use the facts alone (scripts.frameworks, scripts.scenarios).
"""
