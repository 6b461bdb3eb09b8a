#!/usr/bin/env bash
# The README's curl walk-through as one script: a 510(k) from draft to SE, then a COFEPRIS
# abbreviated registration relying on that clearance, from dossier to registro sanitario.
# Needs a running server (npm start) on $API and the same DATABASE_URL for `npx puente`.
set -euo pipefail
API=${API:-http://127.0.0.1:3000}
json() { node -pe "JSON.parse(require('fs').readFileSync(0, 'utf8'))$1"; }
token() { npx --no-install puente user add --json "$@" | json .token; }

# Users. Whoever signs (filings, decisions) gets a password for electronic signatures, read from
# standard input so it stays out of the shell history and the process list.
MFR=$(printf '%s\n' 'Quetzal-Signs-2026' | token --name "Maria Lopez" --role manufacturer --org "Acme Medical" --password-stdin)
FDA=$(printf '%s\n' 'Harbor-Decides-2026' | token --name "Dr. James Carter" --role fda --password-stdin)
COF=$(printf '%s\n' 'Volcan-Resuelve-2026' | token --name "Lic. Ana Torres" --role cofepris --password-stdin)
AUD=$(token --name "Sam Reed" --role auditor)

# send SUBMISSION_ID TOKEN JSON: one workflow event; prints the new state
send() {
  curl -sf -X POST "$API/v1/submissions/$1/events" -H "Authorization: Bearer $2" \
    -H 'Content-Type: application/json' -d "$3" | json .submission.state
}

# 1. The manufacturer creates a 510(k)
K=$(curl -sf "$API/v1/submissions" -H "Authorization: Bearer $MFR" -H 'Content-Type: application/json' \
  -d '{"workflow":"fda-510k","title":"CardioFlow 510(k)",
       "device":{"name":"CardioFlow PTCA catheter","model":"CF-300","productCode":"LOX"},
       "input":{"format":"eSTAR","variant":"traditional"}}' | json .id)
echo "510(k) $K"

# 2. Submit, screening, AI hold, response, SE (dates of the real letters)
send "$K" "$MFR" '{"type":"SUBMIT","effectiveAt":"2026-01-05","signature":{"meaning":"responsibility","password":"Quetzal-Signs-2026"}}'
send "$K" "$FDA" '{"type":"FEE_VERIFIED","effectiveAt":"2026-01-06"}'
send "$K" "$FDA" '{"type":"SCREEN_PASS","effectiveAt":"2026-01-15"}'
send "$K" "$FDA" '{"type":"REQUEST_AI","effectiveAt":"2026-03-01","data":{"deficiencies":["Provide ISO 10993-1 biocompatibility data"]}}'
send "$K" "$MFR" '{"type":"AI_RESPONSE","effectiveAt":"2026-05-30","data":{"summary":"Test reports attached"}}'
# A decision is signed (21 CFR 11.50): a wrong password is refused (401) and nothing is written
curl -s -X POST "$API/v1/submissions/$K/events" -H "Authorization: Bearer $FDA" -H 'Content-Type: application/json' \
  -d '{"type":"DECIDE_SE","effectiveAt":"2026-06-20","data":{"kNumber":"K261234","decisionDate":"2026-06-20"},
       "signature":{"meaning":"approval","password":"not-my-password"}}' | json .code
send "$K" "$FDA" '{"type":"DECIDE_SE","effectiveAt":"2026-06-20","data":{"kNumber":"K261234","decisionDate":"2026-06-20"},
                  "signature":{"meaning":"approval","password":"Harbor-Decides-2026"}}'
# The clocks, derived from those dates: calendar, hold and FDA days, each goal's status
curl -sf "$API/v1/submissions/$K" -H "Authorization: Bearer $MFR" | node -e "const c=JSON.parse(require('fs').readFileSync(0,'utf8')).clocks; console.log('calendarDays ' + c.calendarDays + ', holdDays ' + c.holdDays + ', fdaDays ' + c.fdaDays); for (const g of c.goals) console.log('goal ' + g.kind + ': ' + g.status + ' (' + g.elapsed + ' of ' + g.length + ' ' + g.unit + ')')"

# 3. A COFEPRIS registration on the abbreviated route, relying on that clearance
R=$(curl -sf "$API/v1/submissions" -H "Authorization: Bearer $MFR" -H 'Content-Type: application/json' \
  -d "{\"workflow\":\"cofepris-registration\",\"title\":\"CardioFlow registro sanitario\",
       \"device\":{\"name\":\"CardioFlow PTCA catheter\",\"model\":\"CF-300\"},
       \"input\":{\"route\":\"abbreviated\",\"identicalDevice\":true,\"reference\":{\"submissionId\":\"$K\"}}}" | json .id)
echo "registration $R"

# 4. Submitting before the dossier is complete is refused with the reason (409)
curl -s -X POST "$API/v1/submissions/$R/events" -H "Authorization: Bearer $MFR" \
  -H 'Content-Type: application/json' -d '{"type":"SUBMIT"}' | json .detail

# 5. Upload every document the route requires; the server computes each SHA-256
for kind in $(curl -sf "$API/v1/submissions/$R" -H "Authorization: Bearer $MFR" | json ".dossier.missing.join(' ')"); do
  printf '%%PDF-1.4 %s\n' "$kind" > "/tmp/$kind.pdf"
  curl -sf -X POST "$API/v1/submissions/$R/documents?kind=$kind&filename=$kind.pdf" \
    -H "Authorization: Bearer $MFR" -H 'Content-Type: application/pdf' --data-binary "@/tmp/$kind.pdf" | json .sha256
done

# 6. Submit, review, prevención, answer, grant
send "$R" "$MFR" '{"type":"SUBMIT","effectiveAt":"2026-07-13","data":{"folio":"253300401A0123"},
                  "signature":{"meaning":"responsibility","password":"Quetzal-Signs-2026"}}'
send "$R" "$COF" '{"type":"START_REVIEW","effectiveAt":"2026-07-14"}'
send "$R" "$COF" '{"type":"ISSUE_PREVENCION","effectiveAt":"2026-07-20","data":{"items":["Apostille is illegible"],"termBusinessDays":5}}'
send "$R" "$MFR" '{"type":"RESPOND_PREVENCION","effectiveAt":"2026-07-23","data":{"summary":"Legible apostille attached"}}'
send "$R" "$COF" '{"type":"GRANT","effectiveAt":"2026-09-01","data":{"registrationNumber":"0123E2026 SSA"},
                  "signature":{"meaning":"approval","password":"Volcan-Resuelve-2026"}}'
curl -sf "$API/v1/submissions/$R" -H "Authorization: Bearer $COF" | json .decision
# The signature manifestation, inside the hashed history record: printed name, meaning, when
curl -sf "$API/v1/submissions/$R/history" -H "Authorization: Bearer $AUD" | json '.items.at(-1).signature'

# 7. The auditor reads the history and recomputes its hash chain without puente's code
curl -sf "$API/v1/submissions/$R/history" -H "Authorization: Bearer $AUD" | node tools/verify-chain.mjs
