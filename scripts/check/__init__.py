"""Check an app: the contract of SPEC.md as named checks over real HTTP (verify, which runs the
groups seed, data, routing, stream, middleware and upload on what core shares), and which
event loop, HTTP parser and JSON library served the requests (labels, probe).

May use the facts and scripts.serve.
"""
