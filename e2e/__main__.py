"""`python -m e2e presets`: the ENT catalogue, what each entry fills (`VERIFIER_ENT_PRESET`).
`python -m e2e network URL`: fetch URL through the configured proxy and authorities.
`python -m e2e discover URL_OR_UAI…`: an establishment's set-up from public answers, no login.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

import httpx

from e2e.discover import (
    DEFAULT_PRONOTE_PATTERN,
    Discovery,
    DiscoveryInputError,
    Prober,
    discover_all,
    wanted_from_argument,
)
from e2e.discover_output import (
    OutputError,
    one_line,
    wanted_from_csv,
    write_env,
    write_targets,
)
from e2e.discover_output import (
    describe as describe_discovery,
)
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
    discover = commands.add_parser(
        "discover",
        help="find an establishment's CAS, login family and WAYF choices from its PRONOTE.net "
        "address or UAI (plain HTTP, never logs in)",
    )
    discover.add_argument(
        "targets",
        nargs="*",
        metavar="URL_OR_UAI",
        help="PRONOTE.net addresses, UAIs, or a .csv of establishments (and accounts)",
    )
    discover.add_argument("--csv", type=Path, help="establishments (and accounts) from a CSV")
    discover.add_argument(
        "--write",
        type=Path,
        metavar="PATH",
        help="write a ready .env (one establishment) or, for a PATH ending in .toml, a targets file",
    )
    discover.add_argument("--force", action="store_true", help="replace PATH if it exists")
    discover.add_argument(
        "--ent-url", help="the ENT portal's address, when no public fact gives it"
    )
    discover.add_argument(
        "--pronote-pattern",
        action="append",
        metavar="PATTERN",
        help="the address a UAI stands for, {uai} replaced; repeat it for fallbacks tried in "
        f"turn (default {DEFAULT_PRONOTE_PATTERN})",
    )
    discover.add_argument(
        "--catalogue", type=Path, help="your own ENT entries (default: $VERIFIER_ENT_CATALOGUE)"
    )
    discover.add_argument("--per-host", type=int, default=4, help="requests at once per host (4)")
    discover.add_argument("--timeout", type=float, default=15, help="seconds per request (15)")
    discover.add_argument(
        "--details", action="store_true", help="everything found for each establishment"
    )
    args = parser.parse_args(argv)

    if args.command == "network":
        return check_network(args.url)
    if args.command == "discover":
        return run_discover(args)

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
                    "login_family": e.family,
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


def run_discover(args: argparse.Namespace) -> int:
    """`python -m e2e discover`: 0 all found, 1 an establishment with a problem, 2 bad input."""
    env = os.environ
    try:
        wanted = []
        patterns = args.pronote_pattern or [DEFAULT_PRONOTE_PATTERN]
        sources = list(args.targets)
        csv_files = [Path(t) for t in sources if t.casefold().endswith(".csv")]
        if args.csv:
            csv_files.append(args.csv)
        for path in csv_files:
            wanted += wanted_from_csv(path, patterns)
        for text in sources:
            if not text.casefold().endswith(".csv"):
                wanted.append(wanted_from_argument(text, patterns))
        if not wanted:
            raise DiscoveryInputError(
                "rien à découvrir : donnez une adresse PRONOTE.net, un UAI ou un fichier .csv"
            )
        for w in wanted:
            w.ent_url = w.ent_url or args.ent_url
        if args.per_host < 1 or args.timeout <= 0:
            raise DiscoveryInputError("--per-host doit valoir 1 ou plus, --timeout plus de 0")
        to_targets = args.write is not None and args.write.suffix.casefold() == ".toml"
        if args.write is not None and not to_targets and len(wanted) > 1:
            raise DiscoveryInputError(
                f"{len(wanted)} établissements : écrivez un fichier de cibles "
                "(--write cibles.toml), un .env n'en décrit qu'un"
            )
        if args.write is not None and args.write.exists() and not args.force:
            raise OutputError(
                f"{args.write} existe déjà : rien n'est écrit (--force pour le remplacer)"
            )
        catalogue = load_catalogue(args.catalogue or env.get("VERIFIER_ENT_CATALOGUE") or None)
        net = NetworkSettings.resolve(
            proxy=env.get("VERIFIER_PROXY"),
            ca_bundle=env.get("VERIFIER_CA_BUNDLE") or None,
            insecure_tls=env.get("VERIFIER_INSECURE_TLS", "").lower() in {"1", "true", "yes"},
        )
    except (DiscoveryInputError, OutputError, CatalogueError, NetworkSettingsError) as exc:
        print(exc, file=sys.stderr)
        return 2

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            end = "\n" if done == total else ""
            print(f"\rDécouverte : {done}/{total} établissements", end=end, file=sys.stderr)

    async def probe() -> list[Discovery]:
        client_kwargs = {**httpx_client_kwargs(net), "timeout": args.timeout}
        prober = Prober(catalogue, client_kwargs=client_kwargs, per_host=args.per_host, net=net)
        try:
            return await discover_all(prober, wanted, progress=progress)
        finally:
            await prober.aclose()

    discoveries = asyncio.run(probe())
    detailed = args.details or len(discoveries) == 1
    for d in discoveries:
        print("\n".join(describe_discovery(d)) if detailed else one_line(d))
    bad = [d for d in discoveries if d.problem]
    usable = [d for d in discoveries if d.usable]
    print(
        f"{len(discoveries)} établissement(s) : {len(discoveries) - len(bad)} sans problème, "
        f"{len(bad)} avec un problème"
    )
    if args.write is not None:
        try:
            if to_targets:
                if not usable:
                    raise OutputError(
                        f"{args.write} : aucun établissement utilisable, rien n'est écrit"
                    )
                write_targets(args.write, discoveries, force=args.force)
                print(f"Fichier de cibles écrit : {args.write} ({len(usable)} établissement(s))")
            else:
                if not usable:
                    raise OutputError(
                        f"{args.write} : établissement inutilisable, rien n'est écrit"
                    )
                write_env(args.write, discoveries[0], force=args.force)
                print(f"Réglages écrits : {args.write} (chmod 600 ; mots de passe à fournir)")
        except OutputError as exc:
            print(exc, file=sys.stderr)
            return 1
    return 1 if bad else 0


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
