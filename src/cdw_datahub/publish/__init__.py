"""Publish the data dictionary as a static site consumers can search (play 7).

    result = publish(catalog, Request(output=Path("site"), programs=("w2w",)), settings)

The site is plain HTML, CSS and a little JavaScript: no server, no CDN, opened from `file://`, a
web server or a file share. Its search reads a prebuilt index (`search-index.js`, a script that
sets a global, since browsers refuse `fetch()` on `file://`) with the same rules as the
`search` command. It carries the harvest date, and never a data value or Specialized Security /
Privacy text (it reads neither).
"""

from cdw_datahub.publish.site import Request, Result, publish

__all__ = ["Request", "Result", "publish"]
