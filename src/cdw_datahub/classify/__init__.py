"""Classification suggestions (play 6): rules from `policies/detection.yml`, reviewed by security
(their schema and loader: `cdw_datahub.policy.detection`).

classifier = Classifier.from_file(Path("policies/detection.yml"))
suggestion = classifier.classify(ColumnInfo("participant", "PRTCPNT_SSN_NBR", "VARCHAR(11)"))
hits = detect_values(sampled_values)   # detector ids only, never a value
"""

from cdw_datahub.classify.engine import Classifier, ColumnInfo, Suggestion
from cdw_datahub.classify.values import detect_values

__all__ = ["Classifier", "ColumnInfo", "Suggestion", "detect_values"]
