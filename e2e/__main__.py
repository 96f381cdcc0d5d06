"""`python -m e2e presets`: the ENT catalogue, what each entry fills (`VERIFIER_ENT_PRESET`).
`python -m e2e network URL`: fetch URL through the configured proxy and authorities.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import httpx

from e2e.ent_catalogue import CatalogueError, Ent, load_catalogue
from e2e.network import NetworkSettings, NetworkSettingsError, httpx_client_kwargs, proxy_failure


def describe(ent: Ent) -> str:
    """A catalogue entry as a few readable lines, each fact with its source; gaps said so."""

    def fact(key: str, value: object) -> str:
        if value is None or value == () or key in ent.unknown:
            return "not public: set it in .env"
        source = ent.sources.get(key)
        return f"{value}  [{source}]" if source else str(value)

    routes = [
        f"{route}={fact(f'wayf.{route}', selection)}"
        for route, selection in ent.wayf_selections.items()
    ]
    routes += [f"{r}=not public" for r in ("local", "educonnect") if f"wayf.{r}" in ent.unknown]
    hosts = ", ".join(ent.login_hosts) if ent.login_hosts else None
    lines = [
        f"{ent.key}: {ent.name}",
        f"  ENT:              {fact('ent_url', ent.ent_url)}",
        f"  CAS:              {fact('cas_url', ent.cas_url)}",
        f"  login hosts:      {fact('login_hosts', hosts)}",
        f"  login family:     {fact('family', ent.family)}",
        f"  WAYF selections:  {'; '.join(routes) if routes else 'none (no WAYF selection)'}",
        f"  shortcut pattern: {fact('shortcut_pattern', ent.shortcut_pattern)}",
    ]
    if ent.portal_pattern:
        lines.append(f"  portal pattern:   {fact('portal_pattern', ent.portal_pattern)}")
    lines += [f"  note: {note}  [{ent.sources[f'notes.{n}']}]" for n, note in enumerate(ent.notes)]
    if not ent.origin.startswith("e2e/"):
        lines.append(f"  from: {ent.origin}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m e2e", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    presets = commands.add_parser("presets", help="list the known ENTs (VERIFIER_ENT_PRESET)")
    presets.add_argument("--json", action="store_true", help="print the presets as JSON")
    network = commands.add_parser(
        "network",
        help="fetch URL through VERIFIER_PROXY / HTTPS_PROXY and VERIFIER_CA_BUNDLE (environment)",
    )
    network.add_argument("url", help="an address the checks will reach, e.g. the ENT's")
    args = parser.parse_args(argv)

    if args.command == "network":
        return check_network(args.url)

    if args.command == "presets":
        try:
            catalogue = load_catalogue(os.environ.get("VERIFIER_ENT_CATALOGUE") or None)
        except CatalogueError as exc:
            print(exc, file=sys.stderr)
            return 2
        if args.json:
            data = {
                key: {
                    "ent": e.name,
                    **e.values(),
                    "login_hosts": list(e.login_hosts),
                    "portal_pattern": e.portal_pattern,
                    "notes": list(e.notes),
                    "sources": e.sources,
                    "unknown": list(e.unknown),
                    "origin": e.origin,
                }
                for key, e in catalogue.items()
            }
            print(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            print("\n\n".join(describe(e) for e in catalogue.values()))
            print(
                "\nUse: VERIFIER_ENT_PRESET=<name>; any key set in .env or the environment wins."
                "\nAdd or correct ENTs in your own file: VERIFIER_ENT_CATALOGUE=mes-ent.toml"
                " (same shape as e2e/ents.toml)."
            )
    return 0


def check_network(url: str) -> int:
    """One GET through the network settings; one line out, French on failure, no traceback."""
    env = os.environ
    try:
        net = NetworkSettings.resolve(
            proxy=env.get("VERIFIER_PROXY"),
            ca_bundle=env.get("VERIFIER_CA_BUNDLE") or None,
            insecure_tls=env.get("VERIFIER_INSECURE_TLS", "").lower() in {"1", "true", "yes"},
        )
        with httpx.Client(**httpx_client_kwargs(net, asynchronous=False), timeout=20) as client:
            response = client.get(url)
    except NetworkSettingsError as exc:
        print(f"Réglages réseau invalides : {exc}", file=sys.stderr)
        return 2
    except httpx.HTTPError as exc:
        line = proxy_failure(net, error=exc)
        if line is None:
            line = f"{url} injoignable : {type(exc).__name__}"
            if isinstance(exc, httpx.ConnectError) and "CERTIFICATE_VERIFY_FAILED" in str(exc):
                line = (
                    f"{url} : certificat non reconnu ; si le réseau re-signe TLS, donnez "
                    "l'autorité du proxy dans VERIFIER_CA_BUNDLE"
                )
        print(line, file=sys.stderr)
        return 1
    line = proxy_failure(net, status=response.status_code)
    if line is not None:
        print(line, file=sys.stderr)
        return 1
    via = f"via {net.proxy.server}" if net.proxy else "sans proxy"
    print(f"{url} : HTTP {response.status_code} ({via})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
