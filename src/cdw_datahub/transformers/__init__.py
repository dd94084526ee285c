"""The describe transformers, registered as DataHub plugins (see pyproject entry points)."""

# The order a recipe must list them in: statutes read the classification's category tags, and
# the roll-up reads everything the others wrote.
DESCRIBE_CHAIN = (
    "cdw_definitions",
    "cdw_terms",
    "cdw_classification",
    "cdw_statutes",
    "cdw_rollup",
)
