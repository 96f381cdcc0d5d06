"""The lab: a staging ENT in a box (see README, "The lab")."""

import warnings

# pysaml2 7.5 names a cipher mode that cryptography moved ("decrepit"); a third-party
# warning at import time, not ours (lab.saml, lab.educonnect).
warnings.filterwarnings(
    "ignore", message="CFB has been moved", module=r"saml2\.cryptography\.symmetric"
)
