"""Keep the checker offline: nothing may fetch suffix lists or models at run time.

Import this module before anything imports tldextract (presidio-analyzer does,
for e-mail validation): tldextract's module-level extractor reads the
environment when it is constructed.
"""

import os

# An empty URL list disables tldextract's HTTP fetch; the bundled snapshot is used.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

import tldextract
import tldextract.tldextract as _tld

# Belt and braces for an extractor created before this module ran: replace it
# with one that has no URLs and no disk cache, so it always uses the snapshot.
_tld.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
