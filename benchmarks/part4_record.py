"""What every Part 4 benchmark writes beside its numbers: the machine, the date, the versions,
and the load the machine was under (its cores are shared: read the times with that in mind).
Results are written atomically (dlbook.io.atomic_write)."""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    import torch

    info = {"platform": platform.platform(), "processor": platform.processor() or
            platform.machine(), "cpu_count": os.cpu_count(),
            "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}
    try:
        info["load_average_1_5_15"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return info


def versions() -> dict:
    import numpy
    import torch

    return {"python": platform.python_version(), "numpy": numpy.__version__,
            "torch": torch.__version__}


def write(name: str, record: dict) -> Path:
    from dlbook.io import atomic_write

    record = {"machine": machine(), "date": datetime.date.today().isoformat(),
              "versions": versions(), **record}
    path = RESULTS / f"{name}.json"
    atomic_write(path, lambda f: f.write((json.dumps(record, indent=2) + "\n").encode()))
    return path
