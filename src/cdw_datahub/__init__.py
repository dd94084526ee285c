"""cdw-datahub: describe a department's data once in DataHub and share it fast."""

__version__ = "0.1.0"
