#!/usr/bin/env python3
"""An independent verifier of eddsa-rdfc-2022 Data Integrity proofs (W3C vc-di-eddsa 1.0, 3.3).

Written from the specification with pyld (RDFC-1.0) and cryptography (Ed25519), sharing no code
with Koshu, so that a credential Koshu signs is checked by someone else's canonicalisation.

usage: verify.py [--proof-only] [--context URL=FILE ...] CREDENTIAL.json [DID_DOCUMENT.json ...]

Resolves did:key itself and did:web from the DID documents given (matched on their `id`); the
verification method must be listed under the DID document's assertionMethod and its controller
must equal the credential's issuer (skipped with --proof-only, for test vectors whose issuer is
not the key's controller). Every proof must verify. JSON-LD contexts come from
contexts/contexts.json beside this file and the --context files; any other URL is refused.
Prints one JSON line {"verified": bool, "error": str|null, "proofs": int}; exits 0 only when
verified.
"""

import copy
import hashlib
import json
import os
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld

HERE = os.path.dirname(os.path.abspath(__file__))
BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ED25519_PUB_MULTICODEC = b"\xed\x01"


class Failure(Exception):
    """A reason the credential does not verify."""


def base58btc_decode(text):
    number = 0
    for char in text:
        digit = BASE58_ALPHABET.find(char)
        if digit < 0:
            raise Failure(f"not base58btc: {char!r}")
        number = number * 58 + digit
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    # Each leading '1' stands for one leading zero byte.
    zeros = len(text) - len(text.lstrip("1"))
    return b"\x00" * zeros + body


def multibase_base58btc(value, what):
    if not isinstance(value, str) or not value.startswith("z"):
        raise Failure(f"{what} is not multibase base58btc (a 'z' prefix)")
    return base58btc_decode(value[1:])


def load_contexts(extra):
    with open(os.path.join(HERE, "contexts", "contexts.json"), encoding="utf-8") as f:
        mapping = {url: os.path.join(HERE, "contexts", name) for url, name in json.load(f).items()}
    mapping.update(extra)
    documents = {}
    for url, path in mapping.items():
        with open(path, encoding="utf-8") as f:
            documents[url] = json.load(f)
    return documents


def strict_loader(documents):
    def load(url, options=None):
        if url not in documents:
            raise jsonld.JsonLdError(
                f"refused to load {url}: not one of the local contexts",
                "jsonld.LoadDocumentError",
                code="loading document failed",
            )
        return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(documents[url])}

    return load


def canonical(document, loader):
    return jsonld.normalize(
        document,
        {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader},
    )


def did_key_document(did):
    """The DID document that did:key's rules derive from an Ed25519 Multikey (did:key 0.7)."""
    multikey = did[len("did:key:") :]
    vm_id = f"{did}#{multikey}"
    return {
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": multikey}
        ],
        "assertionMethod": [vm_id],
    }


def resolve(vm_id, did_documents):
    if not isinstance(vm_id, str) or "#" not in vm_id:
        raise Failure(f"verificationMethod {vm_id!r} is not a DID URL with a fragment")
    did = vm_id.split("#", 1)[0]
    if did.startswith("did:key:"):
        document = did_key_document(did)
    elif did.startswith("did:web:"):
        matches = [d for d in did_documents if d.get("id") == did]
        if not matches:
            raise Failure(f"no DID document given for {did}")
        document = matches[0]
    else:
        raise Failure(f"unsupported DID method in {vm_id}")

    def absolute(ref):
        ref = ref if isinstance(ref, str) else ref.get("id", "")
        return did + ref if ref.startswith("#") else ref

    methods = [m for m in document.get("verificationMethod", []) if absolute(m) == vm_id]
    if not methods:
        raise Failure(f"{vm_id} is not among {did}'s verification methods")
    method = methods[0]
    if not any(absolute(ref) == vm_id for ref in document.get("assertionMethod", [])):
        raise Failure(f"{vm_id} is not listed under {did}'s assertionMethod")
    if method.get("type") != "Multikey":
        raise Failure(f"{vm_id} is of type {method.get('type')!r}, not Multikey")
    key = multibase_base58btc(method.get("publicKeyMultibase"), "publicKeyMultibase")
    if not key.startswith(ED25519_PUB_MULTICODEC) or len(key) != 34:
        raise Failure(f"{vm_id} is not an Ed25519 public key (multicodec 0xed01, 32 bytes)")
    return method, Ed25519PublicKey.from_public_bytes(key[2:])


def issuer_id(credential):
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def verify_proof(unsecured, proof, did_documents, loader, proof_only):
    for field, expected in (
        ("type", "DataIntegrityProof"),
        ("cryptosuite", "eddsa-rdfc-2022"),
        ("proofPurpose", "assertionMethod"),
    ):
        if proof.get(field) != expected:
            raise Failure(f"proof {field} is {proof.get(field)!r}, not {expected!r}")
    if "previousProof" in proof:
        raise Failure("proof chains (previousProof) are not supported")
    context = unsecured.get("@context")
    if "@context" in proof:
        # 3.3.2 step 3: a proof's own context must be the start of the document's.
        own = proof["@context"] if isinstance(proof["@context"], list) else [proof["@context"]]
        document_contexts = context if isinstance(context, list) else [context]
        if document_contexts[: len(own)] != own:
            raise Failure("the proof's @context is not the start of the document's @context")
    signature = multibase_base58btc(proof.get("proofValue"), "proofValue")
    method, public_key = resolve(proof.get("verificationMethod"), did_documents)
    if not proof_only and method.get("controller") != issuer_id(unsecured):
        raise Failure(
            f"the key's controller {method.get('controller')!r} is not the issuer {issuer_id(unsecured)!r}"
        )
    # 3.3.5: the proof configuration is the proof without proofValue, in the document's context.
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = context
    hash_data = (
        hashlib.sha256(canonical(config, loader).encode("utf-8")).digest()
        + hashlib.sha256(canonical(unsecured, loader).encode("utf-8")).digest()
    )
    try:
        public_key.verify(signature, hash_data)
    except InvalidSignature:
        raise Failure("the signature does not match the canonical credential") from None


def verify(credential, did_documents, documents, proof_only):
    if not isinstance(credential, dict):
        raise Failure("the credential is not a JSON object")
    proofs = credential.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs] if proofs is not None else []
    if not proofs:
        raise Failure("the credential has no proof")
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    loader = strict_loader(documents)
    for index, proof in enumerate(proofs):
        if not isinstance(proof, dict):
            raise Failure(f"proof {index} is not an object")
        try:
            verify_proof(unsecured, proof, did_documents, loader, proof_only)
        except Failure as failure:
            raise Failure(f"proof {index}: {failure}") from None
    return len(proofs)


def explain(error):
    """The error and its causes, each by its message alone (pyld chains its errors)."""
    reasons = []
    while error is not None:
        message = error.args[0] if error.args else ""
        reasons.append(f"{type(error).__name__}: {message}")
        error = error.__cause__
    return " <- ".join(reasons)


def main(argv):
    proof_only = False
    extra = {}
    files = []
    args = iter(argv)
    for arg in args:
        if arg == "--proof-only":
            proof_only = True
        elif arg == "--context":
            url, _, path = next(args, "").partition("=")
            extra[url] = path
        else:
            files.append(arg)
    if not files:
        print(__doc__, file=sys.stderr)
        return 2
    result = {"verified": False, "error": None, "proofs": 0}
    try:
        documents = load_contexts(extra)
        with open(files[0], encoding="utf-8") as f:
            credential = json.load(f)
        did_documents = []
        for path in files[1:]:
            with open(path, encoding="utf-8") as f:
                did_documents.append(json.load(f))
        result["proofs"] = verify(credential, did_documents, documents, proof_only)
        result["verified"] = True
    except Failure as failure:
        result["error"] = str(failure)
    except Exception as error:  # a malformed credential is a verdict, not a crash
        result["error"] = explain(error)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["verified"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
