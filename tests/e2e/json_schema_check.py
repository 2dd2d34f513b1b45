#!/usr/bin/env python3
"""Checks a JSON Schema (draft 2020-12) and validates YAML files against it.

Usage: json_schema_check.py SCHEMA.json [CONFIG.yaml...]

Exit status: 0 the schema is valid and every file conforms; 1 a file does
not (each error printed as FILE: PATH: MESSAGE); 2 the schema itself is
invalid; 3 python3-jsonschema or python3-yaml is missing. Used by
tests/e2e/schema_test.cpp for `sluice schema`.
"""
import json
import re
import sys

try:
    import jsonschema
    import yaml
except ImportError as missing:
    print(f"json_schema_check.py: {missing}: install python3-jsonschema and python3-yaml "
          "(apt-get install python3-jsonschema python3-yaml; scripts/bootstrap.sh --for test "
          "installs them)", file=sys.stderr)
    sys.exit(3)


class Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false. PyYAML follows YAML 1.1, where on,
    off, yes and no are booleans too; yaml-cpp (sluice) and the YAML language
    server read them as strings."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as error:
        print(f"{argv[1]}: not a valid draft 2020-12 schema: {error.message} "
              f"at {'/'.join(map(str, error.absolute_path))}")
        return 2
    validator = jsonschema.Draft202012Validator(schema)
    status = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            document = yaml.load(f, Loader=Yaml12Loader)
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        for error in errors:
            where = "/".join(map(str, error.absolute_path)) or "(top level)"
            print(f"{path}: {where}: {error.message}")
            # if/then and anyOf explain themselves in their sub-errors.
            for sub in error.context or []:
                sub_where = "/".join(map(str, sub.absolute_path)) or where
                print(f"{path}:   {sub_where}: {sub.message}")
        if errors:
            status = 1
        else:
            print(f"{path}: OK")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
