"""The sample department's databases, as data: programs -> tables -> columns, and views.

This is the single source of truth for the sample department: `demo.build` renders it as SQLite
DDL and fills it with fake rows, `demo.postgres` renders it as PostgreSQL DDL. Nothing here knows
about either dialect beyond portable SQL types (INTEGER, VARCHAR(n), NUMERIC(p,s), DATE, TIME,
TIMESTAMP, BOOLEAN, TEXT).

Column `comment`s are the database's own field definitions (harvested into DataHub as field
descriptions). Most agree word for word with `glossary/dictionary/<program>.yml`. ONE deliberately
disagrees, so the comment-versus-dictionary conflict report has something to find:
**w2w `stop.duration`**: the comment says seconds, the dictionary says whole minutes.

Left undescribed on purpose (no comment here and no definition in the dictionary): the whole
legacy table `w2w.legacy_prtcpnt` and the audit columns listed at the top of each dictionary file.

`sample` names the kind of fake value `demo.build` writes (see `build.SAMPLE_KINDS`); it is a
fixture hint, not part of the catalog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cdw_datahub.errors import InputError


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # portable SQL type, e.g. "VARCHAR(40)", "NUMERIC(9,6)"
    nullable: bool = True
    primary_key: bool = False
    references: str | None = None  # "table.column" of the foreign key target
    fk_name: str | None = None  # named constraint; None renders an unnamed inline REFERENCES
    comment: str | None = None  # the database's own definition (COMMENT ON COLUMN)
    sample: str | None = None  # kind of fake value, see build.SAMPLE_KINDS

    @property
    def ref_table(self) -> str | None:
        return self.references.split(".", 1)[0] if self.references else None

    @property
    def ref_column(self) -> str | None:
        return self.references.split(".", 1)[1] if self.references else None


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    comment: str | None = None

    @property
    def primary_key(self) -> Column:
        return next(c for c in self.columns if c.primary_key)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class View:
    name: str
    select: str  # portable SELECT over the program's own tables (unqualified names)
    comment: str | None = None


@dataclass(frozen=True)
class Program:
    id: str
    name: str
    tables: tuple[Table, ...]  # ordered so every foreign key target comes first
    views: tuple[View, ...] = field(default_factory=tuple)

    @property
    def schema_name(self) -> str:
        """The PostgreSQL schema (and SQLite file stem is the id itself)."""
        return self.id.replace("-", "_")

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


def quote(identifier: str) -> str:
    """A double-quoted SQL identifier (both dialects); keeps legacy upper-case names intact."""
    return '"' + identifier.replace('"', '""') + '"'


def table_definitions(
    table: Table, schema: str | None = None, quote: Callable[[str], str] = quote
) -> list[tuple[str, str | None]]:
    """(column or constraint definition, column comment) lines of a CREATE TABLE, in portable
    SQL; `schema` qualifies foreign key targets (PostgreSQL), none for SQLite; `quote` is the
    dialect's identifier quoting (MySQL's backticks)."""

    def target(c: Column) -> str:
        name = quote(c.ref_table or "")
        qualified = f"{quote(schema)}.{name}" if schema else name
        return f"{qualified}({quote(c.ref_column or '')})"

    lines: list[tuple[str, str | None]] = []
    for c in table.columns:
        parts = [quote(c.name), c.type]
        if not c.nullable:
            parts.append("NOT NULL")
        if c.primary_key:
            parts.append("PRIMARY KEY")
        if c.references and not c.fk_name:  # an unnamed, inline foreign key
            parts.append(f"REFERENCES {target(c)}")
        lines.append((" ".join(parts), c.comment))
    for c in table.columns:
        if c.references and c.fk_name:
            lines.append(
                (
                    f"CONSTRAINT {quote(c.fk_name)} FOREIGN KEY ({quote(c.name)}) "
                    f"REFERENCES {target(c)}",
                    None,
                )
            )
    return lines


def _c(name: str, type_: str, sample: str | None = None, **kw: object) -> Column:
    return Column(name, type_, sample=sample, **kw)  # type: ignore[arg-type]


def _pk(name: str) -> Column:
    return Column(name, "INTEGER", nullable=False, primary_key=True, sample="seq")


def _fk(name: str, target: str, constraint: str | None = None, **kw: object) -> Column:
    return Column(name, "INTEGER", references=target, fk_name=constraint, **kw)  # type: ignore[arg-type]


CREATED_AT = _c(
    "created_at",
    "TIMESTAMP",
    "ts",
    nullable=False,
    comment="Date and time, in Pacific Time, at which the row was first saved.",
)
CREATED_BY = _c("created_by", "VARCHAR(40)", "user", nullable=False)
UPDATED_AT = _c("updated_at", "TIMESTAMP", "ts")
UPDATED_BY = _c("updated_by", "VARCHAR(40)", "user")


# ---------------------------------------------------------------------------------------------
# Walk2Work: commuters log walks to work. The system is the modernization candidate.
# ---------------------------------------------------------------------------------------------
W2W = Program(
    id="w2w",
    name="Walk2Work",
    tables=(
        Table(
            "employer",
            comment="Employers whose work sites take part in Walk2Work.",
            columns=(
                _pk("employer_id"),
                _c(
                    "employer_name",
                    "VARCHAR(120)",
                    "org",
                    nullable=False,
                    comment=(
                        "Legal business name of the employer as registered with the California "
                        "Secretary of State."
                    ),
                ),
                _c("worksite_street_address", "VARCHAR(120)", "street"),
                _c("worksite_city", "VARCHAR(60)", "city"),
                _c(
                    "worksite_zip_code",
                    "CHAR(5)",
                    "zip",
                    comment="Five-digit USPS ZIP Code of the work site's street address.",
                ),
                _c("worksite_county", "VARCHAR(40)", "county"),
                _c(
                    "employee_count",
                    "INTEGER",
                    "int:5:5000",
                    comment=(
                        "Number of employees reporting to the work site, as stated by the "
                        "employer at enrollment."
                    ),
                ),
                _c("contact_phone", "VARCHAR(20)", "phone"),
                CREATED_AT,
            ),
        ),
        Table(
            "participant",
            comment="People enrolled in Walk2Work.",
            columns=(
                Column(
                    "participant_id",
                    "INTEGER",
                    nullable=False,
                    primary_key=True,
                    sample="seq",
                    comment=(
                        "Number the system assigns to a participant at enrollment; never reused."
                    ),
                ),
                _fk("employer_id", "employer.employer_id"),
                _c(
                    "first_name",
                    "VARCHAR(60)",
                    "first",
                    nullable=False,
                    comment="Given name of the participant as provided at enrollment.",
                ),
                _c("middle_name", "VARCHAR(60)", "middle"),
                _c(
                    "last_name",
                    "VARCHAR(60)",
                    "last",
                    nullable=False,
                    comment="Family name (surname) of the participant as provided at enrollment.",
                ),
                _c("name_suffix", "VARCHAR(10)", "suffix"),
                _c(
                    "birth_date",
                    "DATE",
                    "dob",
                    nullable=False,
                    comment="Calendar date on which the participant was born.",
                ),
                _c(
                    "sex",
                    "CHAR(1)",
                    "sex",
                    comment=(
                        "Sex of the participant as self-reported at enrollment: F (female), M "
                        "(male), X (nonbinary) or U (not reported)."
                    ),
                ),
                _c("race", "VARCHAR(60)", "race"),
                _c("ethnicity", "VARCHAR(40)", "ethnicity"),
                _c(
                    "preferred_language",
                    "VARCHAR(30)",
                    "language",
                    comment=(
                        "Language in which the participant asks to receive program communication."
                    ),
                ),
                _c("home_street_address", "VARCHAR(120)", "street"),
                _c("home_city", "VARCHAR(60)", "city"),
                _c(
                    "home_zip_code",
                    "CHAR(5)",
                    "zip",
                    comment="Five-digit USPS ZIP Code of the participant's home address.",
                ),
                _c(
                    "home_county",
                    "VARCHAR(40)",
                    "county",
                    comment="California county of the participant's home address.",
                ),
                _c("phone_number", "VARCHAR(20)", "phone"),
                _c(
                    "email_address",
                    "VARCHAR(120)",
                    "email",
                    comment=(
                        "Electronic mail address at which the participant receives program "
                        "messages."
                    ),
                ),
                _c(
                    "ssn",
                    "CHAR(11)",
                    "ssn",
                    comment=(
                        "Social Security Number issued to the participant by the Social Security "
                        "Administration, formatted NNN-NN-NNNN."
                    ),
                ),
                _c(
                    "enrollment_date",
                    "DATE",
                    "date",
                    nullable=False,
                    comment="Calendar date on which the participant's enrollment was accepted.",
                ),
                CREATED_AT,
                CREATED_BY,
                UPDATED_AT,
                UPDATED_BY,
            ),
        ),
        Table(
            "commute",
            comment="One trip from a participant's home toward their work site.",
            columns=(
                Column(
                    "commute_id",
                    "INTEGER",
                    nullable=False,
                    primary_key=True,
                    sample="seq",
                    comment=(
                        "Number the system assigns to a commute when it is logged; never reused."
                    ),
                ),
                _fk("participant_id", "participant.participant_id", nullable=False),
                _c(
                    "commute_date",
                    "DATE",
                    "date",
                    nullable=False,
                    comment="Calendar date on which the commute began, in Pacific Time.",
                ),
                _c("start_time", "TIME", "time"),
                _c("end_time", "TIME", "time"),
                _c("origin_zip_code", "CHAR(5)", "zip"),
                _c("destination_zip_code", "CHAR(5)", "zip"),
                _c(
                    "distance_miles",
                    "NUMERIC(5,2)",
                    "num:0.2:12",
                    comment="Length of the route walked, in statute miles to two decimal places.",
                ),
                _c(
                    "travel_mode",
                    "VARCHAR(20)",
                    "choice:walk|bike|walk_and_transit|wheelchair",
                    comment="Means of travel used for the commute, from the program's mode list.",
                ),
                _c(
                    "total_duration_minutes",
                    "INTEGER",
                    "int:5:120",
                    comment=(
                        "Whole minutes from the start to the end of the commute, including stops."
                    ),
                ),
                _c(
                    "weather_condition",
                    "VARCHAR(20)",
                    "choice:clear|cloudy|rain|heat_advisory|smoke",
                ),
                CREATED_AT,
                UPDATED_BY,
            ),
        ),
        Table(
            "stop",
            comment="Planned stops on a participant's commute.",
            columns=(
                _pk("stop_id"),
                _fk("commute_id", "commute.commute_id", "fk_stop_commute", nullable=False),
                _c(
                    "stop_sequence",
                    "INTEGER",
                    "int:1:6",
                    nullable=False,
                    comment=(
                        "Position of the stop within its commute, starting at 1 for the first stop."
                    ),
                ),
                _c(
                    "stop_type",
                    "VARCHAR(20)",
                    "choice:business|park|transit_transfer",
                    comment=(
                        "Kind of place where the participant stopped: business, park or transit "
                        "transfer."
                    ),
                ),
                _c(
                    "geocode_latitude",
                    "NUMERIC(9,6)",
                    "lat",
                    comment=(
                        "Latitude of the stop in decimal degrees (WGS 84), positive north of the "
                        "equator."
                    ),
                ),
                _c(
                    "geocode_longitude",
                    "NUMERIC(9,6)",
                    "lon",
                    comment=(
                        "Longitude of the stop in decimal degrees (WGS 84), negative west of "
                        "Greenwich."
                    ),
                ),
                _c("location_name", "VARCHAR(120)", "label:Stop place"),
                _c(
                    "location",
                    "VARCHAR(160)",
                    "street",
                    comment=(
                        "A location with a registered USPS address where the participant stopped "
                        "during their commute."
                    ),
                ),
                _c("zip_code", "CHAR(5)", "zip"),
                _c("arrival_time", "TIME", "time"),
                # The deliberate conflict: the dictionary defines this in whole minutes.
                _c("duration", "INTEGER", "int:1:45", comment="Length of the stop in seconds."),
                CREATED_AT,
            ),
        ),
        Table(
            "step_log",
            comment="Daily step counts reported by participants' devices.",
            columns=(
                _pk("step_log_id"),
                _fk("participant_id", "participant.participant_id", nullable=False),
                _c(
                    "log_date",
                    "DATE",
                    "date",
                    nullable=False,
                    comment="Calendar date, in Pacific Time, whose steps the entry counts.",
                ),
                _c(
                    "step_count",
                    "INTEGER",
                    "int:0:25000",
                    nullable=False,
                    comment=(
                        "Number of steps recorded for the participant on the log date, from "
                        "midnight to midnight Pacific Time."
                    ),
                ),
                _c("active_minutes", "INTEGER", "int:0:240"),
                _c(
                    "device_type",
                    "VARCHAR(30)",
                    "choice:phone|wrist_tracker|pedometer|manual_entry",
                ),
                _c(
                    "source_app",
                    "VARCHAR(40)",
                    "choice:W2W mobile app|Partner tracker sync|Web form",
                ),
                _c("synced_at", "TIMESTAMP", "ts"),
                CREATED_AT,
            ),
        ),
        Table(
            "challenge",
            comment="Time-boxed step challenges, optionally sponsored by an employer.",
            columns=(
                _pk("challenge_id"),
                _c("challenge_name", "VARCHAR(80)", "label:Step challenge", nullable=False),
                _c("start_date", "DATE", "date", nullable=False),
                _c("end_date", "DATE", "date"),
                _c(
                    "step_goal",
                    "INTEGER",
                    "int:50000:500000",
                    comment=(
                        "Total number of steps a participant must log during the challenge period "
                        "to complete it."
                    ),
                ),
                _c("reward_points", "INTEGER", "int:10:500"),
                _fk("sponsor_employer_id", "employer.employer_id", "fk_challenge_sponsor"),
                CREATED_AT,
            ),
        ),
        Table(
            "reward",
            comment="Incentives earned by participants.",
            columns=(
                _pk("reward_id"),
                _fk("participant_id", "participant.participant_id", nullable=False),
                _fk("challenge_id", "challenge.challenge_id", "fk_reward_challenge"),
                _c(
                    "reward_type", "VARCHAR(30)", "choice:gift_card|transit_pass|badge|raffle_entry"
                ),
                _c(
                    "points",
                    "INTEGER",
                    "int:1:500",
                    comment="Program points credited to the participant for the reward.",
                ),
                _c(
                    "amount_usd",
                    "NUMERIC(8,2)",
                    "num:0:50",
                    comment=(
                        "Cash value of the reward in United States dollars; zero for non-monetary "
                        "rewards."
                    ),
                ),
                _c("earned_date", "DATE", "date", nullable=False),
                _c("redeemed_date", "DATE", "date"),
                _c("status", "VARCHAR(20)", "choice:earned|redeemed|expired|void"),
                CREATED_AT,
                UPDATED_BY,
            ),
        ),
        Table(
            # Mainframe extract kept for reconciliation; abbreviated names from the old system.
            "legacy_prtcpnt",
            columns=(
                _pk("PRTCPNT_ID"),
                _c("PRTCPNT_SSN_NBR", "CHAR(9)", "ssn_digits"),
                _c("PRTCPNT_DOB_DT", "DATE", "dob"),
                _c("PRTCPNT_FRST_NM", "VARCHAR(30)", "first"),
                _c("PRTCPNT_LST_NM", "VARCHAR(30)", "last"),
                _c("HH_INCM_AMT", "NUMERIC(10,2)", "num:0:150000"),
                _c("HH_SZ_CNT", "INTEGER", "int:1:9"),
                _c("CNTY_CD", "CHAR(2)", "county_code"),
                _c("ENRL_DT", "DATE", "date"),
                _c("STS_CD", "CHAR(1)", "choice:A|I|T"),
                _c("LST_UPDT_TS", "TIMESTAMP", "ts"),
                _c("LST_UPDT_USR_ID", "VARCHAR(8)", "user"),
            ),
        ),
    ),
    views=(
        View(
            "participant_commute_summary",
            comment="Commutes, stops and minutes walked per participant.",
            select=(
                "SELECT p.participant_id, p.home_county,"
                " COUNT(DISTINCT c.commute_id) AS commute_count,"
                " COUNT(s.stop_id) AS stop_count, SUM(c.total_duration_minutes) AS total_minutes"
                " FROM participant p JOIN commute c ON c.participant_id = p.participant_id"
                " LEFT JOIN stop s ON s.commute_id = c.commute_id"
                " GROUP BY p.participant_id, p.home_county"
            ),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# Healthy Habits: awareness campaigns with community-based organizations and providers (vendor-run).
# ---------------------------------------------------------------------------------------------
HEALTHY_HABITS = Program(
    id="healthy-habits",
    name="Healthy Habits",
    tables=(
        Table(
            "campaign",
            comment="Health awareness campaigns.",
            columns=(
                _pk("campaign_id"),
                _c(
                    "campaign_name",
                    "VARCHAR(120)",
                    "label:Campaign",
                    nullable=False,
                    comment=(
                        "Public title of the awareness campaign as shown on outreach materials."
                    ),
                ),
                _c(
                    "health_topic",
                    "VARCHAR(40)",
                    (
                        "choice:nutrition|physical_activity|diabetes_prevention|tobacco_cessation|"
                        "heart_health"
                    ),
                    comment="Health subject the campaign promotes, from the program's topic list.",
                ),
                _c(
                    "start_date",
                    "DATE",
                    "date",
                    nullable=False,
                    comment="First calendar date on which campaign outreach runs.",
                ),
                _c("end_date", "DATE", "date"),
                _c("target_county", "VARCHAR(40)", "county"),
                _c(
                    "budget_amount",
                    "NUMERIC(12,2)",
                    "num:5000:250000",
                    comment=(
                        "Funds allocated to the campaign for its whole duration, in United States "
                        "dollars."
                    ),
                ),
                _c(
                    "channel",
                    "VARCHAR(30)",
                    "choice:radio|social_media|community_event|clinic_poster|text_message",
                ),
                _c("status", "VARCHAR(20)", "choice:planned|active|closed"),
                CREATED_AT,
                CREATED_BY,
                UPDATED_AT,
                UPDATED_BY,
            ),
        ),
        Table(
            "cbo_partner",
            comment="Community-based organizations under contract with Healthy Habits.",
            columns=(
                Column(
                    "cbo_id",
                    "INTEGER",
                    nullable=False,
                    primary_key=True,
                    sample="seq",
                    comment=(
                        "Number the system assigns to a community-based organization when its "
                        "contract is entered."
                    ),
                ),
                _c(
                    "organization_name",
                    "VARCHAR(120)",
                    "org",
                    nullable=False,
                    comment=(
                        "Legal name of the community-based organization as it appears on its "
                        "contract."
                    ),
                ),
                _c(
                    "street_address",
                    "VARCHAR(120)",
                    "street",
                    comment="Street address of the organization's main office.",
                ),
                _c("city", "VARCHAR(60)", "city"),
                _c("zip_code", "CHAR(5)", "zip"),
                _c("county", "VARCHAR(40)", "county"),
                _c(
                    "phone_number",
                    "VARCHAR(20)",
                    "phone",
                    comment="Main telephone number of the organization's office.",
                ),
                _c("email_address", "VARCHAR(120)", "org_email"),
                _c(
                    "contact_title",
                    "VARCHAR(60)",
                    "choice:Executive Director|Program Manager|Outreach Lead",
                ),
                _c("contract_number", "VARCHAR(20)", "label:HH-CBO"),
                _c("contract_start_date", "DATE", "date"),
                _c("contract_end_date", "DATE", "date"),
                CREATED_AT,
            ),
        ),
        Table(
            "campaign_partner",
            comment="Which organizations deliver which campaigns.",
            columns=(
                _pk("campaign_partner_id"),
                _fk(
                    "campaign_id",
                    "campaign.campaign_id",
                    "fk_campaign_partner_campaign",
                    nullable=False,
                ),
                _fk("cbo_id", "cbo_partner.cbo_id", nullable=False),
                _c("partner_role", "VARCHAR(30)", "choice:lead|outreach|venue|translation"),
                _c(
                    "funding_amount",
                    "NUMERIC(10,2)",
                    "num:0:50000",
                    comment=(
                        "Portion of the campaign budget awarded to the organization, in United "
                        "States dollars."
                    ),
                ),
                CREATED_AT,
            ),
        ),
        Table(
            "participant",
            comment="People reached by Healthy Habits who consented to follow-up.",
            columns=(
                _pk("participant_id"),
                _fk("enrolled_by_cbo_id", "cbo_partner.cbo_id"),
                _c("first_name", "VARCHAR(60)", "first", nullable=False),
                _c("last_name", "VARCHAR(60)", "last", nullable=False),
                _c(
                    "birth_date",
                    "DATE",
                    "dob",
                    comment="Calendar date on which the participant was born.",
                ),
                _c("sex", "CHAR(1)", "sex"),
                _c("race_ethnicity", "VARCHAR(60)", "race"),
                _c("preferred_language", "VARCHAR(30)", "language"),
                _c("street_address", "VARCHAR(120)", "street"),
                _c("city", "VARCHAR(60)", "city"),
                _c(
                    "zip_code",
                    "CHAR(5)",
                    "zip",
                    comment="Five-digit USPS ZIP Code of the participant's home address.",
                ),
                _c("county", "VARCHAR(40)", "county"),
                _c(
                    "phone_number",
                    "VARCHAR(20)",
                    "phone",
                    comment="Telephone number at which the participant agreed to be contacted.",
                ),
                _c("email_address", "VARCHAR(120)", "email"),
                _c(
                    "medi_cal_cin",
                    "CHAR(9)",
                    "cin",
                    comment=(
                        "Client Index Number assigned to the participant by Medi-Cal, when the "
                        "participant reports one."
                    ),
                ),
                _c("consent_date", "DATE", "date"),
                _c(
                    "consent_to_contact",
                    "BOOLEAN",
                    "bool",
                    nullable=False,
                    comment=(
                        "Whether the participant agreed in writing to be contacted for follow-up: "
                        "true or false."
                    ),
                ),
                CREATED_AT,
                UPDATED_BY,
            ),
        ),
        Table(
            "health_survey",
            comment=(
                "Self-reported and measured health status collected at enrollment and follow-up."
            ),
            columns=(
                _pk("survey_id"),
                _fk("participant_id", "participant.participant_id", nullable=False),
                _fk("administered_by_cbo_id", "cbo_partner.cbo_id", "fk_survey_cbo"),
                _c(
                    "survey_date",
                    "DATE",
                    "date",
                    nullable=False,
                    comment="Calendar date on which the survey was administered.",
                ),
                _c("height_inches", "NUMERIC(4,1)", "num:55:78"),
                _c("weight_pounds", "NUMERIC(5,1)", "num:95:320"),
                _c(
                    "bmi",
                    "NUMERIC(4,1)",
                    "num:16:45",
                    comment=(
                        "Body mass index: weight in kilograms divided by the square of height in "
                        "meters, to one decimal place."
                    ),
                ),
                _c(
                    "systolic_bp",
                    "INTEGER",
                    "int:90:180",
                    comment=(
                        "Systolic blood pressure in millimeters of mercury (mmHg), measured seated."
                    ),
                ),
                _c(
                    "diastolic_bp",
                    "INTEGER",
                    "int:55:110",
                    comment=(
                        "Diastolic blood pressure in millimeters of mercury (mmHg), measured "
                        "seated."
                    ),
                ),
                _c(
                    "has_diabetes",
                    "BOOLEAN",
                    "bool",
                    comment=(
                        "Whether the participant reports having been told by a clinician that "
                        "they have diabetes: true or false."
                    ),
                ),
                _c("has_hypertension", "BOOLEAN", "bool"),
                _c("has_asthma", "BOOLEAN", "bool"),
                _c("smoking_status", "VARCHAR(20)", "choice:never|former|current|declined"),
                _c("self_rated_health", "VARCHAR(20)", "choice:excellent|very_good|good|fair|poor"),
                _c(
                    "active_days_per_week",
                    "INTEGER",
                    "int:0:7",
                    comment=(
                        "Number of days in the past seven on which the participant was physically "
                        "active for at least 30 minutes."
                    ),
                ),
                _c("daily_produce_servings", "INTEGER", "int:0:9"),
                CREATED_AT,
            ),
        ),
        Table(
            "provider",
            comment="Healthcare providers that accept Healthy Habits referrals.",
            columns=(
                _pk("provider_id"),
                _c("provider_name", "VARCHAR(120)", "org", nullable=False),
                _c(
                    "npi",
                    "CHAR(10)",
                    "npi",
                    comment=(
                        "Ten-digit National Provider Identifier assigned to the provider "
                        "organization by CMS."
                    ),
                ),
                _c(
                    "specialty",
                    "VARCHAR(40)",
                    "choice:primary_care|nutrition|endocrinology|cardiology|behavioral_health",
                ),
                _c("street_address", "VARCHAR(120)", "street"),
                _c("city", "VARCHAR(60)", "city"),
                _c("zip_code", "CHAR(5)", "zip"),
                _c("phone_number", "VARCHAR(20)", "phone"),
                _c("accepts_medi_cal", "BOOLEAN", "bool"),
                CREATED_AT,
            ),
        ),
        Table(
            "referral",
            comment="Referrals of participants to healthcare providers.",
            columns=(
                _pk("referral_id"),
                _fk("participant_id", "participant.participant_id", nullable=False),
                _fk("provider_id", "provider.provider_id", "fk_referral_provider", nullable=False),
                _fk("campaign_id", "campaign.campaign_id"),
                _c(
                    "referral_date",
                    "DATE",
                    "date",
                    nullable=False,
                    comment="Calendar date on which the referral was sent to the provider.",
                ),
                _c(
                    "referral_reason",
                    "VARCHAR(40)",
                    (
                        "choice:elevated_blood_pressure|high_bmi|prediabetes_screening|"
                        "smoking_cessation|nutrition_counseling"
                    ),
                    comment=(
                        "Health concern that prompted the referral, from the program's reason list."
                    ),
                ),
                _c("urgency", "VARCHAR(10)", "choice:routine|soon|urgent"),
                _c("status", "VARCHAR(20)", "choice:sent|scheduled|completed|declined|lost"),
                _c("follow_up_date", "DATE", "date"),
                _c("outcome_notes", "TEXT", "text"),
                CREATED_AT,
                UPDATED_BY,
            ),
        ),
    ),
    views=(
        View(
            "campaign_reach",
            comment="Partners and referrals per campaign.",
            select=(
                "SELECT c.campaign_id, c.campaign_name, c.health_topic,"
                " COUNT(DISTINCT cp.cbo_id) AS partner_count,"
                " COUNT(DISTINCT r.referral_id) AS referral_count"
                " FROM campaign c LEFT JOIN campaign_partner cp ON cp.campaign_id = c.campaign_id"
                " LEFT JOIN referral r ON r.campaign_id = c.campaign_id"
                " GROUP BY c.campaign_id, c.campaign_name, c.health_topic"
            ),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# Your Environment: outreach about communities and outdoor spaces, with volunteers.
# ---------------------------------------------------------------------------------------------
YOUR_ENVIRONMENT = Program(
    id="your-environment",
    name="Your Environment",
    tables=(
        Table(
            "community",
            comment="Communities the program serves, at census-tract level.",
            columns=(
                _pk("community_id"),
                _c("community_name", "VARCHAR(80)", "label:Community", nullable=False),
                _c(
                    "county",
                    "VARCHAR(40)",
                    "county",
                    comment="California county that contains the census tract.",
                ),
                _c("zip_code", "CHAR(5)", "zip"),
                _c(
                    "census_tract",
                    "CHAR(11)",
                    "tract",
                    comment=(
                        "Eleven-digit 2020 Census tract identifier (state, county and tract codes)."
                    ),
                ),
                _c("population", "INTEGER", "int:1200:8000"),
                _c(
                    "median_household_income",
                    "NUMERIC(10,2)",
                    "num:25000:180000",
                    comment=(
                        "Median annual household income of the tract in United States dollars, "
                        "from the latest American Community Survey five-year estimate."
                    ),
                ),
                _c("calenviroscreen_percentile", "NUMERIC(5,2)", "num:0:100"),
                _c("disadvantaged_community", "BOOLEAN", "bool"),
                CREATED_AT,
            ),
        ),
        Table(
            "park",
            comment="Parks and outdoor spaces where the program holds events.",
            columns=(
                _pk("park_id"),
                _fk("community_id", "community.community_id", "fk_park_community"),
                _c("park_name", "VARCHAR(120)", "label:Park", nullable=False),
                _c(
                    "managing_agency",
                    "VARCHAR(80)",
                    (
                        "choice:California State Parks|County Parks|City Recreation|Regional Open "
                        "Space District"
                    ),
                ),
                _c("street_address", "VARCHAR(120)", "street"),
                _c("city", "VARCHAR(60)", "city"),
                _c("zip_code", "CHAR(5)", "zip"),
                _c(
                    "latitude",
                    "NUMERIC(9,6)",
                    "lat",
                    comment="Latitude of the park's main entrance in decimal degrees (WGS 84).",
                ),
                _c(
                    "longitude",
                    "NUMERIC(9,6)",
                    "lon",
                    comment="Longitude of the park's main entrance in decimal degrees (WGS 84).",
                ),
                _c(
                    "acreage",
                    "NUMERIC(8,2)",
                    "num:0.5:5000",
                    comment="Land area of the park in acres.",
                ),
                _c("has_restrooms", "BOOLEAN", "bool"),
                _c("ada_accessible", "BOOLEAN", "bool"),
                CREATED_AT,
            ),
        ),
        Table(
            "outreach_event",
            comment="Community outreach events held by the program.",
            columns=(
                _pk("event_id"),
                _fk("park_id", "park.park_id"),
                _fk("community_id", "community.community_id"),
                _c("event_name", "VARCHAR(120)", "label:Outreach event", nullable=False),
                _c(
                    "event_type",
                    "VARCHAR(30)",
                    "choice:cleanup|guided_walk|workshop|health_fair|tree_planting",
                    comment="Kind of outreach activity, from the program's event type list.",
                ),
                _c(
                    "event_date",
                    "DATE",
                    "date",
                    nullable=False,
                    comment="Calendar date on which the event takes place.",
                ),
                _c("start_time", "TIME", "time"),
                _c(
                    "organizer_org_name",
                    "VARCHAR(120)",
                    "org",
                    comment=(
                        "Name of the organization that hosts the event; the department when it "
                        "hosts alone."
                    ),
                ),
                _c("expected_attendance", "INTEGER", "int:10:400"),
                _c(
                    "actual_attendance",
                    "INTEGER",
                    "int:0:400",
                    comment=(
                        "Number of people counted at the event, excluding staff and volunteers."
                    ),
                ),
                _c("languages_offered", "VARCHAR(80)", "language"),
                CREATED_AT,
                UPDATED_BY,
            ),
        ),
        Table(
            "volunteer",
            comment="Registered volunteers.",
            columns=(
                _pk("volunteer_id"),
                _c("first_name", "VARCHAR(60)", "first", nullable=False),
                _c("last_name", "VARCHAR(60)", "last", nullable=False),
                _c("birth_date", "DATE", "dob"),
                _c(
                    "email_address",
                    "VARCHAR(120)",
                    "email",
                    comment="Electronic mail address the volunteer gave for shift notices.",
                ),
                _c("phone_number", "VARCHAR(20)", "phone"),
                _c("street_address", "VARCHAR(120)", "street"),
                _c("zip_code", "CHAR(5)", "zip"),
                _c("county", "VARCHAR(40)", "county"),
                _c("emergency_contact_name", "VARCHAR(120)", "full_name"),
                _c("emergency_contact_phone", "VARCHAR(20)", "phone"),
                _c(
                    "background_check_date",
                    "DATE",
                    "date",
                    comment=(
                        "Date the Department of Justice Live Scan background check result was "
                        "received."
                    ),
                ),
                _c(
                    "background_check_status",
                    "VARCHAR(20)",
                    "choice:pending|cleared|not_cleared",
                    comment=(
                        "Result of the volunteer's background check: pending, cleared or not "
                        "cleared."
                    ),
                ),
                _c("shirt_size", "VARCHAR(4)", "choice:XS|S|M|L|XL|XXL"),
                CREATED_AT,
                UPDATED_BY,
            ),
        ),
        Table(
            "volunteer_shift",
            comment="Hours volunteers worked at outreach events.",
            columns=(
                _pk("shift_id"),
                _fk("volunteer_id", "volunteer.volunteer_id", nullable=False),
                _fk("event_id", "outreach_event.event_id", "fk_shift_event", nullable=False),
                _c("shift_role", "VARCHAR(30)", "choice:greeter|guide|crew|interpreter|first_aid"),
                _c(
                    "hours_worked",
                    "NUMERIC(4,2)",
                    "num:0.5:10",
                    comment=(
                        "Time the volunteer worked during the shift, in hours to two decimal "
                        "places."
                    ),
                ),
                _c("checked_in_at", "TIMESTAMP", "ts"),
                CREATED_AT,
            ),
        ),
        Table(
            "park_visit",
            comment="Visits to parks counted by intercept survey or trail counter.",
            columns=(
                _pk("visit_id"),
                _fk("park_id", "park.park_id", nullable=False),
                _c("visit_date", "DATE", "date", nullable=False),
                _c(
                    "visitor_zip_code",
                    "CHAR(5)",
                    "zip",
                    comment=(
                        "Five-digit USPS ZIP Code of the visiting party's home, as reported by "
                        "the visitor."
                    ),
                ),
                _c(
                    "party_size",
                    "INTEGER",
                    "int:1:12",
                    comment="Number of people, including children, in the visiting party.",
                ),
                _c("age_group", "VARCHAR(10)", "choice:0-17|18-34|35-54|55-64|65+"),
                _c(
                    "visit_purpose",
                    "VARCHAR(30)",
                    "choice:exercise|recreation|event|commute|nature",
                ),
                _c("arrival_time", "TIME", "time"),
                _c(
                    "duration_minutes",
                    "INTEGER",
                    "int:10:300",
                    comment="Whole minutes the visiting party spent in the park.",
                ),
                _c("survey_language", "VARCHAR(30)", "language"),
                _c(
                    "collection_method",
                    "VARCHAR(20)",
                    "choice:intercept_survey|trail_counter|event_signin",
                ),
                CREATED_AT,
            ),
        ),
        Table(
            "air_quality_reading",
            comment="Daily air quality readings for each community.",
            columns=(
                _pk("reading_id"),
                _fk("community_id", "community.community_id", nullable=False),
                _c("reading_date", "DATE", "date", nullable=False),
                _c(
                    "aqi",
                    "INTEGER",
                    "int:5:250",
                    comment=(
                        "U.S. EPA Air Quality Index for the day, a unitless value from 0 to 500."
                    ),
                ),
                _c(
                    "pm25_ugm3",
                    "NUMERIC(6,2)",
                    "num:1:120",
                    comment=(
                        "Daily mean concentration of fine particulate matter (PM2.5) in "
                        "micrograms per cubic meter."
                    ),
                ),
                _c("ozone_ppb", "NUMERIC(6,2)", "num:5:120"),
                _c("monitor_station", "VARCHAR(60)", "label:Monitor"),
                CREATED_AT,
            ),
        ),
    ),
    views=(
        View(
            "park_visit_summary",
            comment="Visits and visitors per park per month.",
            select=(
                "SELECT p.park_id, p.park_name,"
                " SUBSTR(CAST(v.visit_date AS VARCHAR(10)), 1, 7) AS visit_month,"
                " COUNT(v.visit_id) AS visit_count, SUM(v.party_size) AS visitor_count"
                " FROM park p JOIN park_visit v ON v.park_id = p.park_id"
                " GROUP BY p.park_id, p.park_name, SUBSTR(CAST(v.visit_date AS VARCHAR(10)), 1, 7)"
            ),
        ),
    ),
)


PROGRAMS: tuple[Program, ...] = (W2W, HEALTHY_HABITS, YOUR_ENVIRONMENT)


def program(program_id: str) -> Program:
    """The program with this id or display name (case-insensitive)."""
    wanted = program_id.strip().lower()
    for p in PROGRAMS:
        if wanted in (p.id, p.name.lower()):
            return p
    known = ", ".join(f"{p.id} ({p.name})" for p in PROGRAMS)
    raise InputError(f"unknown program; use one of {known}", key=program_id)
