"""Classification suggestions (play 6): rules from `policies/detection.yml`, reviewed by security.

classifier = Classifier.from_file(Path("policies/detection.yml"))
suggestion = classifier.classify(ColumnInfo("participant", "PRTCPNT_SSN_NBR", "VARCHAR(11)"))
hits = detect_values(sampled_values)   # detector ids only, never a value
"""

from cdw_datahub.classify.engine import Classifier, ColumnInfo, Suggestion
from cdw_datahub.classify.policy import LABELS, DetectionPolicy, load_policy
from cdw_datahub.classify.values import detect_values

__all__ = [
    "LABELS",
    "Classifier",
    "ColumnInfo",
    "DetectionPolicy",
    "Suggestion",
    "detect_values",
    "load_policy",
]
