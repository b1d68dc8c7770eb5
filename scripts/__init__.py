"""The benchmark harness: start apps, verify them, drive load, write and report results."""
