"""`python -m e2e presets`: the known ENTs and what each preset fills (`VERIFIER_ENT_PRESET`)."""

from __future__ import annotations

import argparse
import json
import sys

from e2e.presets import PRESETS, Preset


def describe(preset: Preset) -> str:
    """A preset as a few readable lines, each fact with its source; unset facts said so."""

    def fact(key: str, value: object) -> str:
        if value is None or value == {}:
            return "not public: set it in .env"
        source = preset.sources.get(key)
        return f"{value}  [{source}]" if source else str(value)

    routes = [
        f"{route}={fact(f'wayf_selections.{route}', selection)}"
        for route, selection in preset.wayf_selections.items()
    ]
    missing = [r for r in ("local", "educonnect") if f"wayf_selections.{r}" in preset.unknown]
    routes += [f"{route}=not public" for route in missing]
    lines = [
        f"{preset.name}: {preset.ent}",
        f"  ENT:              {fact('ent_url', preset.ent_url)}",
        f"  CAS:              {fact('cas_url', preset.cas_url)}",
        f"  login family:     {fact('login_family', preset.login_family)}",
        f"  WAYF selections:  {'; '.join(routes) if routes else 'none (no WAYF selection)'}",
        f"  shortcut pattern: {fact('shortcut_pattern', preset.shortcut_pattern)}",
    ]
    lines += [f"  note: {note}" for note in preset.notes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m e2e", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    presets = commands.add_parser("presets", help="list the known ENTs (VERIFIER_ENT_PRESET)")
    presets.add_argument("--json", action="store_true", help="print the presets as JSON")
    args = parser.parse_args(argv)

    if args.command == "presets":
        if args.json:
            data = {
                name: {"ent": p.ent, **p.values(), "sources": p.sources, "unknown": p.unknown}
                for name, p in PRESETS.items()
            }
            print(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            print("\n\n".join(describe(p) for p in PRESETS.values()))
            print("\nUse: VERIFIER_ENT_PRESET=<name>; any key set in .env or the environment wins.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
