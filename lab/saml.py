"""SAML 2.0 between the lab ENT (SP) and its ÉduConnect stand-in (IdP), with pysaml2.

Real ENTs (Kosmos, Open ENT NG) are SAML service providers of ÉduConnect, the
national IdP (DOMAIN.md, "The login routes of real ENTs"). Each side is a
pysaml2 entity over one config dict (the shape of pysaml2's `example/idp2` and
`example/sp-wsgi`); every signature is made and checked by pysaml2 and xmlsec1,
never by hand. Keys and self-signed certificates are made at each lab start,
in the lab's temporary folder.

Building the federation (pysaml2's signature modules load XML schemas, and three RSA keys
are made) is most of a lab start, so the lab hands out a `PendingFederation`
and starts its build in a thread once everything else is up, while the verifier sets up;
the first SAML use waits for it.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST

if TYPE_CHECKING:  # pysaml2's entities load its XML schemas: imported where they are built
    from saml2.client import Saml2Client
    from saml2.config import Config
    from saml2.server import Server

# ÉduConnect's attributes (its identifier, names, affiliation): the ENT maps
# `FrEduCtId` to one of its accounts.
EDUCONNECT_ID_ATTRIBUTE = "FrEduCtId"


@dataclass(frozen=True)
class KeyPair:
    key_file: Path
    cert_file: Path


def make_keypair(folder: Path, name: str, *, valid_days: int = 365) -> KeyPair:
    """An RSA key and a self-signed certificate for *name*, as PEM files in *folder*."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Lab"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=max(1, -valid_days + 365)))
        .not_valid_after(now + dt.timedelta(days=valid_days))
        .sign(key, hashes.SHA256())
    )
    pair = KeyPair(folder / f"{name}.key", folder / f"{name}.crt")
    pair.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    pair.key_file.chmod(0o600)
    pair.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return pair


def _xmlsec() -> str:
    found = shutil.which("xmlsec1")
    if not found:
        raise RuntimeError(
            "xmlsec1 introuvable : le lab en a besoin pour signer en SAML (pysaml2) ; "
            "installez le paquet Debian xmlsec1 (make setup, ou apt-get install -y xmlsec1)"
        )
    return found


def _metadata(config: Config) -> str:
    from saml2.metadata import entity_descriptor, metadata_tostring_fix
    from saml2.validate import valid_instance

    descriptor = entity_descriptor(config)
    valid_instance(descriptor)
    return metadata_tostring_fix(descriptor, {"xs": "http://www.w3.org/2001/XMLSchema"}, None)


def idp_config(entity_id: str, sso_url: str, keys: KeyPair, *, sp_metadata: str | None) -> dict:
    return {
        "entityid": entity_id,
        "xmlsec_binary": _xmlsec(),
        "key_file": str(keys.key_file),
        "cert_file": str(keys.cert_file),
        "service": {
            "idp": {
                "endpoints": {"single_sign_on_service": [(sso_url, BINDING_HTTP_POST)]},
                "name_id_format": ["urn:oasis:names:tc:SAML:2.0:nameid-format:transient"],
                "sign_response": True,
                "sign_assertion": True,
                "policy": {"default": {"lifetime": {"minutes": 5}}},
            }
        },
        "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
        "allow_unknown_attributes": True,
    }


def sp_config(entity_id: str, acs_url: str, keys: KeyPair, *, idp_metadata: str | None) -> dict:
    return {
        "entityid": entity_id,
        "xmlsec_binary": _xmlsec(),
        "key_file": str(keys.key_file),
        "cert_file": str(keys.cert_file),
        "service": {
            "sp": {
                "endpoints": {"assertion_consumer_service": [(acs_url, BINDING_HTTP_POST)]},
                "authn_requests_signed": True,
                # The ENT accepts only signed assertions (pysaml2 checks them).
                "want_assertions_signed": True,
                "want_response_signed": True,
                "allow_unsolicited": False,
            }
        },
        "accepted_time_diff": 60,  # seconds of clock difference the ENT tolerates
        "metadata": {"inline": [idp_metadata]} if idp_metadata else {},
        "allow_unknown_attributes": True,
    }


@dataclass
class Federation:
    """The ENT's SP and ÉduConnect's IdP, trusting each other through their metadata.

    `rotated_idp` is ÉduConnect signing with a certificate that has expired (fault
    `educonnect_certificate_expired`): same entity id, a key whose certificate's
    validity ended yesterday and which the ENT's copy of ÉduConnect's metadata does not
    hold, so the ENT refuses the signature. The assertion carries the certificate in
    its `KeyInfo` (SAML 2.0 XML-DSig, as Shibboleth IdPs send it), which is how a
    verifier can see the expiry.
    """

    idp: Server
    rotated_idp: Server
    sp: Saml2Client
    idp_entity_id: str
    sp_entity_id: str


def build_federation(folder: Path, *, idp_base: str, sp_entity_id: str, acs_url: str) -> Federation:
    from saml2.client import Saml2Client
    from saml2.config import IdPConfig, SPConfig
    from saml2.server import Server

    idp_entity_id = f"{idp_base}/idp/shibboleth"
    sso_url = f"{idp_base}/idp/profile/SAML2/POST/SSO"
    idp_keys = make_keypair(folder, "educonnect")
    rotated_keys = make_keypair(folder, "educonnect-expired", valid_days=-1)
    sp_keys = make_keypair(folder, "ent-sp")

    def config(kind: type[Config], values: dict) -> Config:
        conf = kind()
        conf.load(values)
        return conf

    idp_md = _metadata(
        config(IdPConfig, idp_config(idp_entity_id, sso_url, idp_keys, sp_metadata=None))
    )
    sp_md = _metadata(
        config(SPConfig, sp_config(sp_entity_id, acs_url, sp_keys, idp_metadata=None))
    )
    idp = Server(
        config=config(IdPConfig, idp_config(idp_entity_id, sso_url, idp_keys, sp_metadata=sp_md))
    )
    rotated = Server(
        config=config(
            IdPConfig, idp_config(idp_entity_id, sso_url, rotated_keys, sp_metadata=sp_md)
        )
    )
    sp = Saml2Client(
        config=config(SPConfig, sp_config(sp_entity_id, acs_url, sp_keys, idp_metadata=idp_md))
    )
    return Federation(idp, rotated, sp, idp_entity_id, sp_entity_id)


class PendingFederation:
    """The federation, built in a thread once `start` is called: each attribute waits for
    it (and re-raises what stopped it). The entity ids are known at once. Start it once the
    rest of the lab is up: both are Python, and a build running alongside the lab's own
    start would only share the interpreter with it."""

    def __init__(self, folder: Path, *, idp_base: str, sp_entity_id: str, acs_url: str) -> None:
        _xmlsec()  # the one thing a machine may lack: said at start, not at the first login
        self.idp_entity_id = f"{idp_base}/idp/shibboleth"
        self.sp_entity_id = sp_entity_id
        self.seconds: float | None = None  # how long the build took, once done
        self._future: concurrent.futures.Future[Federation] = concurrent.futures.Future()

        def build() -> None:
            began = time.monotonic()
            try:
                federation = build_federation(
                    folder, idp_base=idp_base, sp_entity_id=sp_entity_id, acs_url=acs_url
                )
            except BaseException as exc:  # handed to whoever uses the federation
                self._future.set_exception(exc)
                return
            self.seconds = time.monotonic() - began
            self._future.set_result(federation)

        self._thread = threading.Thread(target=build, name="saml-federation", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def result(self, timeout: float = 120) -> Federation:
        return self._future.result(timeout=timeout)

    @property
    def idp(self) -> Server:
        return self.result().idp

    @property
    def rotated_idp(self) -> Server:
        return self.result().rotated_idp

    @property
    def sp(self) -> Saml2Client:
        return self.result().sp
