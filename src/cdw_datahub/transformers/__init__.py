"""`cdw_describe`, the one describe transformer (registered as a DataHub plugin).

`describe.py` is the plugin; each stage (`definitions`, `terms`, `classification`, `statutes`,
`rollup`) is a small class with one job, run in that order on each dataset; `run.py` holds what
a pipeline run shares (the policies, caches of Avro objects, entity definitions already sent).
"""
