"""Serve an app: start and stop it exactly as the benchmark runs it.

Its venv from the pins (appenv) or another version of the framework (override), the cores
it runs on (cpus), its CPU time and memory (procstats) and a CPU quota (cpuquota). Uses only
the facts (scripts.frameworks, scripts.scenarios). `python -m scripts.serve.server NAME`.
"""
