#!/usr/bin/env bash
# pip-audit of the virtualenv, skipping the editable project itself.
# Known vulnerabilities fail. If the vulnerability service cannot be reached (limited network),
# say so clearly and succeed, because that is not a finding.
set -uo pipefail
pip_audit=${1:-.venv/bin/pip-audit}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# Accepted vulnerabilities: pip-audit-exceptions.txt, "ID reason" per line; a line without a reason fails.
ignore=()
if [[ -f pip-audit-exceptions.txt ]]; then
  while read -r id reason; do
    [[ -z ${id:-} || $id == \#* ]] && continue
    [[ -n ${reason:-} ]] || { echo "pip-audit-exceptions.txt: $id ohne Begründung" >&2; exit 1; }
    ignore+=(--ignore-vuln "$id")
  done < pip-audit-exceptions.txt
fi
"$pip_audit" --skip-editable --progress-spinner off --desc off "${ignore[@]}" >"$out" 2>&1
rc=$?
grep -v "could not be audited" "$out" || true
unaudited=$(grep -c "could not be audited" "$out" || true)
if [[ $unaudited -gt 0 ]]; then
  echo "pip-audit: WARNUNG – $unaudited Pakete konnten nicht geprüft werden (Schwachstellendienst/PyPI-JSON-API" >&2
  echo "           nicht erreichbar, z. B. nur lokaler Paketspiegel). Diese Prüfung ist damit unvollständig." >&2
fi
if [[ $rc -eq 0 ]]; then
  exit 0
fi
if grep -qiE "known vulnerabilit" "$out"; then
  echo "pip-audit: Schwachstellen gefunden (siehe oben)." >&2
  exit 1
fi
if grep -qiE "ConnectionError|ConnectTimeout|ReadTimeout|Max retries|NameResolution|Temporary failure in name resolution|Failed to establish a new connection|ProxyError|SSLError|timed out|Network is unreachable|ServiceError|Connection refused" "$out"; then
  echo "pip-audit: WARNUNG – Schwachstellendienst nicht erreichbar; Prüfung übersprungen (kein Befund)." >&2
  exit 0
fi
echo "pip-audit: unerwarteter Fehler (rc=$rc)." >&2
exit "$rc"
