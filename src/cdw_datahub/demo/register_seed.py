"""The sample department's BUCP register: a dozen BUCPs over the fourteen months before today,
kept as the tracker spreadsheet a Data Coordinator would keep (see `bucp/register/tracker.py` for
the columns).

The dates below are written as of AS_WRITTEN and moved by whole days to end as close to `today`
(so open BUCPs are weeks old, not years, and `cdw-datahub metrics` shows a live register). Ids
stay as written (the demo and the README name them), even when the year in an id and its dates
differ. Pass `today` for a deterministic register.

It has the shapes play 1 asks about: fulfilled and closed BUCPs with benefits, a denial, open
ones in review and a draft, two disputes and how they were resolved, statutory restrictions solved
by aggregation and by de-identification, and one BUCP with Specialized Security / Privacy terms.
Walk2Work's data is requested most, then Healthy Habits', then Your Environment's, so the rubric
(policies/rubric.yml) ranks the programs as the guidebook's working group did.

    seed_register("sqlite:///demo-out/bucp-register.db")
"""

from __future__ import annotations

import datetime as dt
import io

from cdw_datahub.bucp.register.store import open_register
from cdw_datahub.bucp.register.tracker import import_rows, parse_tracker

CDW = "California Department of Wellness"
# The day the dates below describe: a week after the last event (BUCP-2026-004 drafted 2026-03-09).
AS_WRITTEN = dt.date(2026, 3, 16)

_HEADER = (
    "id,title,program,requesting_department,providing_department,sponsor,coordinator,"
    "legal_authority,requested,drafted,submitted,under_review,approved,denied,fulfilled,closed,"
    "disputed,dispute_issue,dispute_resolved,dispute_resolution,restrictions,benefits,"
    "specialized_security,specialized_privacy"
)

# id, title, program, requesting department, sponsor, coordinator, legal authority, requested,
# (drafted, submitted, under review, approved, denied, fulfilled, closed),
# (disputed, issue, resolved, resolution), restrictions, benefits, (security, privacy)
_BUCPS: list[tuple] = [
    ("BUCP-2025-001", "Active commuting and chronic disease study", "w2w",
     "California Department of Public Health", "Dr. Maria Alvarez", "Samantha Lee",
     "Health and Safety Code 131051; Civil Code 1798.24(e)",
     "w2w.commute: commute_date, distance_miles, travel_mode, origin_zip_code; "
     "w2w.step_log: log_date, step_count",
     ("2025-01-13", "2025-01-21", "2025-01-28", "2025-03-17", "", "2025-04-07", "2025-12-19"),
     ("2025-02-10", "Program objects to releasing origin ZIP Codes with commute dates",
      "2025-03-03", "ZIP Codes rolled up to county and dates to month"),
     "Civil Code 1798.24 = aggregation",
     "County-level active commuting rates published in the CDPH chronic disease report", None),
    ("BUCP-2025-002", "Commute corridors for active transportation planning", "w2w",
     "California Department of Transportation", "Kevin Tran", "Samantha Lee",
     "Government Code 11015.5",
     "w2w.commute: origin_zip_code, destination_zip_code, travel_mode; "
     "w2w.stop: stop_type, geocode_latitude, geocode_longitude",
     ("2025-02-03", "2025-02-10", "2025-02-14", "2025-03-21", "", "2025-04-11", ""),
     None, "Government Code 11015.5 = de-identification", None, None),
    ("BUCP-2025-003", "Walk2Work participation among Medi-Cal members", "Walk2Work",
     "Department of Health Care Services", "Angela Brooks", "Samantha Lee",
     "Welfare and Institutions Code 14100.2; 45 CFR 164.512",
     "w2w.participant: birth_date, home_zip_code, enrollment_date; w2w.step_log: step_count",
     ("2025-03-03", "2025-03-10", "2025-03-17", "2025-05-05", "", "2025-05-27", "2026-01-30"),
     None, "45 CFR 164.514 = de-identification",
     "Medi-Cal managed care plans added Walk2Work to member wellness benefits",
     ("Files only over SFTP to the DHCS enclave; AES-256 at rest; access limited to 4 named "
      "analysts; destroy within 30 days of study end (NIST SP 800-53 MP-6)",
      "Safe Harbor de-identification verified by the CDW privacy officer; no linkage to other "
      "sources without a new BUCP")),
    ("BUCP-2025-004", "Walk2Work rewards for CalFresh households", "w2w",
     "California Department of Social Services", "Luis Ortega", "Samantha Lee",
     "Welfare and Institutions Code 10850",
     "w2w.reward: reward_type, points, amount_usd; w2w.participant: home_county",
     ("2025-04-07", "2025-04-14", "2025-04-22", "", "2025-06-02", "", "2025-06-16"),
     None, "Welfare and Institutions Code 10850 = unsolved", None, None),
    ("BUCP-2025-005", "Statewide physical activity dashboard", "w2w",
     "CalHHS Center for Data Insights and Innovation", "Priya Natarajan", "Samantha Lee",
     "Health and Safety Code 131051",
     "w2w.step_log: log_date, step_count, active_minutes; "
     "healthy-habits.health_survey: active_days_per_week",
     ("2025-06-02", "2025-06-09", "2025-06-16", "2025-07-28", "", "2025-08-18", ""),
     None, "Civil Code 1798.24 = aggregation", None, None),
    ("BUCP-2025-006", "Campaign reach among Medi-Cal members", "healthy-habits",
     "Department of Health Care Services", "Angela Brooks", "Marcus Johnson",
     "Welfare and Institutions Code 14100.2",
     "healthy-habits.campaign: campaign_name, health_topic, target_county; "
     "healthy-habits.participant: county, zip_code, medi_cal_cin",
     ("2025-07-07", "2025-07-14", "2025-07-21", "2025-09-15", "", "2025-10-06", ""),
     ("2025-08-04", "Medi-Cal CIN requested for matching without participant consent",
      "2025-08-29", "DHCS matches inside its own environment; the CIN is not transferred"),
     "Civil Code 56.10 = de-identification; Welfare and Institutions Code 10850 = aggregation",
     None, None),
    ("BUCP-2025-007", "Hypertension outreach evaluation", "Healthy Habits",
     "California Department of Public Health", "Dr. Maria Alvarez", "Marcus Johnson",
     "Health and Safety Code 131051; 45 CFR 164.512(b)",
     "healthy-habits.health_survey: systolic_bp, diastolic_bp, has_hypertension; "
     "healthy-habits.referral: referral_reason, status",
     ("2025-09-08", "2025-09-15", "2025-09-29", "2025-11-17", "", "2025-12-08", "2026-03-31"),
     None, "45 CFR 164.514 = de-identification",
     "Evaluation showed referrals doubled blood-pressure follow-up in partner counties", None),
    ("BUCP-2025-008", "Volunteer capacity for wildfire smoke outreach", "your-environment",
     "California Department of Forestry and Fire Protection", "Dana Whitfield", "Rosa Martinez",
     "Government Code 8585",
     "your-environment.outreach_event: event_type, event_date, actual_attendance; "
     "your-environment.volunteer_shift: shift_role, hours_worked",
     ("2025-10-06", "2025-10-14", "2025-10-20", "2025-12-01", "", "2025-12-15", ""),
     None, "Civil Code 1798.24 = aggregation", None, None),
    ("BUCP-2026-001", "Healthy Habits partners serving older adults", "healthy-habits",
     "California Department of Aging", "Helen Park", "Marcus Johnson",
     "Welfare and Institutions Code 9100",
     "healthy-habits.cbo_partner: organization_name, county; healthy-habits.campaign_partner",
     ("2026-01-12", "2026-01-20", "2026-01-27", "", "", "", ""), None, "", None, None),
    ("BUCP-2026-002", "Park visits by community", "your-environment",
     "California Department of Parks and Recreation", "Omar Haddad", "Rosa Martinez",
     "Public Resources Code 5003",
     "your-environment.park_visit: visit_date, visitor_zip_code, age_group; "
     "your-environment.park",
     ("2026-02-02", "2026-02-09", "2026-02-17", "", "", "", ""), None, "", None, None),
    ("BUCP-2026-003", "Air quality and asthma in disadvantaged communities", "w2w",
     "California Department of Public Health", "Dr. Maria Alvarez", "Samantha Lee",
     "Health and Safety Code 131051",
     "w2w.commute: commute_date, origin_zip_code, weather_condition; "
     "your-environment.air_quality_reading: reading_date, aqi, pm25_ugm3",
     ("2026-02-23", "2026-03-02", "", "", "", "", ""), None, "", None, None),
    ("BUCP-2026-004", "Employer worksites for commute benefit programs", "w2w",
     "California Air Resources Board", "Jordan Blake", "Samantha Lee", "",
     "w2w.employer: employer_name, worksite_zip_code, employee_count",
     ("2026-03-09", "", "", "", "", "", ""), None, "", None, None),
]  # fmt: skip


def _shifter(today: dt.date | None) -> dt.timedelta:
    return (today or dt.date.today()) - AS_WRITTEN


def _moved(value: str, shift: dt.timedelta) -> str:
    return (dt.date.fromisoformat(value) + shift).isoformat() if value else ""


def tracker_csv(today: dt.date | None = None) -> str:
    """The seed as tracker CSV text (what `bucp export-register --specialized` would write),
    its dates moved so the last event falls a week before `today` (default: today)."""
    from cdw_datahub.output import SafeCsvWriter

    shift = _shifter(today)
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    writer.writerow(_HEADER.split(","))
    for (bucp_id, title, program, requester, sponsor, coordinator, authority, requested, dates,
         dispute, restrictions, benefits, specialized) in _BUCPS:  # fmt: skip
        raised, issue, resolved, resolution = dispute or ("", "", "", "")
        security, privacy = specialized or ("", "")
        moved = [_moved(d, shift) for d in dates]
        writer.writerow([bucp_id, title, program, requester, CDW,
                         sponsor, coordinator, authority, requested, *moved, _moved(raised, shift),
                         issue, _moved(resolved, shift), resolution, restrictions, benefits or "",
                         security, privacy])  # fmt: skip
    return buffer.getvalue()


def seed_register(url: str, today: dt.date | None = None) -> None:
    """Fill the register at `url` with the sample department's BUCPs, in one transaction.

    Does nothing when the register already holds them (running the demo twice is harmless).
    """
    rows = parse_tracker(io.StringIO(tracker_csv(today)), "cdw_datahub/demo/register_seed.py")
    with open_register(url) as register:
        if any(r.id == _BUCPS[0][0] for r in register.records()):
            return
        import_rows(register, rows, "cdw_datahub/demo/register_seed.py")
