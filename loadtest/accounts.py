"""Who the simulated users sign in as: written by the data step, read by the locustfile (which knows no Django)."""

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class LoadAccounts:
    password: str
    staff: list[tuple[str, str]]  # (username, unit code): one staff member per unit
    leaders: list[str]
    api_clients: list[str]

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> "LoadAccounts":
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            password=data["password"],
            staff=[(username, unit_code) for username, unit_code in data["staff"]],
            leaders=list(data["leaders"]),
            api_clients=list(data["api_clients"]),
        )
