"""What the monitoring tests share: reading one sample of the Prometheus text format."""

import re


def metric(text: str, name: str, **labels) -> float:
    """The value of one sample of the text format (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        match = re.match(r"^(\w+)(?:\{(.*)\})? (\S+)$", line)
        if match and match.group(1) == name and ",".join(sorted((match.group(2) or "").split(","))) == wanted:
            return float(match.group(3))
    return 0.0
