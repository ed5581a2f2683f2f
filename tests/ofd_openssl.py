"""Check a sealed OFD the way an outside party would: OpenSSL 3's command line only.

Nothing of the project is used: the OFD is unzipped, ``Signature.xml`` read with
ElementTree, and every cryptographic step is an ``openssl`` command — ``dgst -sm3`` for the
digests, ``asn1parse`` to find the parts of ``SignedValue.dat`` (sliced at the offsets it
prints), ``dgst -sm3 -verify … -sigopt distid:1234567812345678`` for the SM2 signatures and
``verify -vfyopt distid:…`` for the certificate chain. :func:`problems` lists, in words,
every check that failed; an empty list means the seal holds.
"""

from __future__ import annotations

import base64
import dataclasses
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

OPENSSL = shutil.which("openssl")
DISTID = "distid:1234567812345678"
NS = {"ofd": "http://www.ofdspec.org/2016"}
SIGNATURE_XML = "Doc_0/Signs/Sign_0/Signature.xml"
SIGNED_VALUE = "Doc_0/Signs/Sign_0/SignedValue.dat"
_LINE = re.compile(r"^\s*(\d+):d=(\d+)\s+hl=(\d+)\s+l=\s*(\d+)\s+(prim|cons):\s+(.+?)\s*(?::|$)")


def openssl_has_sm2() -> bool:
    """Whether this machine's ``openssl`` makes SM2 keys and SM3 digests (OpenSSL 3)."""
    if OPENSSL is None:
        return False
    run = subprocess.run(
        [OPENSSL, "genpkey", "-algorithm", "SM2"], capture_output=True, check=False
    )
    digest = subprocess.run([OPENSSL, "dgst", "-sm3"], input=b"", capture_output=True, check=False)
    return run.returncode == 0 and digest.returncode == 0


def openssl(*args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    assert OPENSSL is not None
    return subprocess.run([OPENSSL, *args], input=data, capture_output=True, check=False)


def unzip(ofd: bytes, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / "licence.ofd"
    archive.write_bytes(ofd)
    with zipfile.ZipFile(archive) as package:
        package.extractall(folder / "files")
    return folder / "files"


@dataclasses.dataclass(frozen=True)
class Node:
    offset: int
    depth: int
    header: int
    length: int
    kind: str

    @property
    def end(self) -> int:
        return self.offset + self.header + self.length


def asn1_nodes(path: Path) -> list[Node]:
    """Every element ``openssl asn1parse`` lists, with offset, depth and lengths."""
    listing = openssl("asn1parse", "-inform", "DER", "-in", str(path))
    assert listing.returncode == 0, listing.stderr
    nodes = []
    for line in listing.stdout.decode("utf-8", "replace").splitlines():
        match = _LINE.match(line)
        if match:
            offset, depth, header, length, _, kind = match.groups()
            nodes.append(Node(int(offset), int(depth), int(header), int(length), kind.strip()))
    return nodes


def children(nodes: list[Node], parent: Node) -> list[Node]:
    return [
        node
        for node in nodes
        if node.depth == parent.depth + 1 and parent.offset < node.offset < parent.end
    ]


def sm3(path: Path) -> bytes:
    result = openssl("dgst", "-sm3", "-binary", str(path))
    assert result.returncode == 0, result.stderr
    return result.stdout


def problems(files: Path, ca_pem: Path, work: Path) -> list[str]:
    """What does not hold in the sealed OFD unpacked in ``files`` (empty: all holds)."""
    found = []
    signature_xml = files / SIGNATURE_XML
    root = ElementTree.parse(signature_xml).getroot()
    references = root.findall(".//ofd:Reference", NS)
    if not references:
        found.append("Signature.xml lists no file")
    for reference in references:
        path = files / reference.attrib["FileRef"].lstrip("/")
        check = reference.findtext("ofd:CheckValue", namespaces=NS) or ""
        if not path.is_file() or base64.b64decode(check) != sm3(path):
            found.append(f"CheckValue of {reference.attrib['FileRef']}")
    protected = {reference.attrib["FileRef"].lstrip("/") for reference in references}
    for page in files.glob("Doc_0/Pages/*/Content.xml"):
        if str(page.relative_to(files)) not in protected:
            found.append(f"{page.relative_to(files)} is not protected")

    signed_value = files / SIGNED_VALUE
    data = signed_value.read_bytes()
    nodes = asn1_nodes(signed_value)
    tbs, cert, _, signature = children(nodes, nodes[0])[:4]
    version, seal, _, data_hash, _ = children(nodes, tbs)[:5]
    if _content(data, version) != b"\x04":
        found.append("TBS_Sign version is not 4")
    if _content(data, data_hash)[1:] != sm3(signature_xml):
        found.append("dataHash is not the SM3 digest of Signature.xml")
    signer = _content(data, cert)
    if not _verified(work / "signer", _whole(data, tbs), signer, _bits(data, signature)):
        found.append("the signer's signature over TBS_Sign")
    seal_info, maker_cert, _, maker_signature = children(nodes, seal)[:4]
    maker = _content(data, maker_cert)
    if not _verified(work / "maker", _whole(data, seal_info), maker, _bits(data, maker_signature)):
        found.append("the seal maker's signature over SES_SealInfo")
    for name, der in (("signer", signer), ("seal maker", maker)):
        if not _chains(work / f"{name}.pem", der, ca_pem):
            found.append(f"the {name}'s certificate does not chain to sm2-ca.pem")
    return found


def _content(data: bytes, node: Node) -> bytes:
    return data[node.offset + node.header : node.end]


def _whole(data: bytes, node: Node) -> bytes:
    return data[node.offset : node.end]


def _bits(data: bytes, node: Node) -> bytes:
    return _content(data, node)[1:]  # a BIT STRING's first content byte counts unused bits


def _verified(folder: Path, message: bytes, certificate: bytes, signature: bytes) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cert.der").write_bytes(certificate)
    (folder / "message.der").write_bytes(message)
    (folder / "signature.der").write_bytes(signature)
    public = openssl("x509", "-inform", "DER", "-in", str(folder / "cert.der"), "-pubkey", "-noout")
    if public.returncode != 0:
        return False
    (folder / "public.pem").write_bytes(public.stdout)
    result = openssl(
        "dgst", "-sm3", "-verify", str(folder / "public.pem"),
        "-signature", str(folder / "signature.der"), "-sigopt", DISTID,
        str(folder / "message.der"),
    )  # fmt: skip
    return result.returncode == 0 and b"Verified OK" in result.stdout


def _chains(pem: Path, certificate: bytes, ca_pem: Path) -> bool:
    converted = openssl("x509", "-inform", "DER", "-out", str(pem), data=certificate)
    if converted.returncode != 0:
        return False
    result = openssl("verify", "-vfyopt", DISTID, "-CAfile", str(ca_pem), str(pem))
    return result.returncode == 0
