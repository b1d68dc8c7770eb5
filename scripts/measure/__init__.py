"""Measure: one benchmark run of a framework (bench, steps), instruction counts under Valgrind
(instructions), the JSON result and its schema (results), and the studies of the method
(calibration, accuracy).

May use the facts, scripts.serve, scripts.check and scripts.load. Its only output to what
comes later is the JSON result.
"""
