#!/usr/bin/env python3
"""Validates a credential against 1EdTech's Open Badges 3.0 AchievementCredential JSON Schema.

usage: schema.py [--schema SCHEMA.json] CREDENTIAL.json

The schema defaults to the copy of 1EdTech's file the repository keeps beside its contexts,
crates/credentials/contexts/achievementcredential.schema.json (identical to
shared/standards/openbadges-3.0/; its $refs are all internal, so nothing is fetched). Draft 2019-09, with the
schema's `format`s (date, date-time) checked. Prints one JSON line
{"valid": bool, "errors": [{"path": str, "message": str}, ...]}; exits 0 only when valid.
"""

import json
import os
import sys

from jsonschema import Draft201909Validator

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCHEMA = os.path.join(
    HERE, "..", "..", "crates", "credentials", "contexts",
    "achievementcredential.schema.json",
)


def main(argv):
    schema_path = DEFAULT_SCHEMA
    files = []
    args = iter(argv)
    for arg in args:
        if arg == "--schema":
            schema_path = next(args, "")
        else:
            files.append(arg)
    if len(files) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    checker = Draft201909Validator.FORMAT_CHECKER
    if "date-time" not in checker.checkers:
        # jsonschema checks date-time only with rfc3339-validator; never skip it silently.
        print("schema.py needs rfc3339-validator (pip install rfc3339-validator)", file=sys.stderr)
        return 2
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    with open(files[0], encoding="utf-8") as f:
        credential = json.load(f)
    Draft201909Validator.check_schema(schema)
    validator = Draft201909Validator(schema, format_checker=checker)
    errors = [
        {"path": "/" + "/".join(str(p) for p in error.absolute_path), "message": error.message}
        for error in sorted(validator.iter_errors(credential), key=lambda e: list(map(str, e.absolute_path)))
    ]
    print(json.dumps({"valid": not errors, "errors": errors}, ensure_ascii=False))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
