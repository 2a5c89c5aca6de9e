"""Signing: the packages parties sign, and the checks of the signed copies that come back.

One job per module:

- ``packages``: who signs where, and each party's package as a PDF and a DOCX;
- ``fields``: the empty signature fields added to a rendered PDF;
- ``verify``: the one entry point, ``verify_copies``, that ``verify``, ``status``, ``adopt``
  and ``amend --signed`` call, and the report it returns;
- ``screening``: what a returned file must not be, refused before any parser reads it;
- ``originals``: the package a returned copy claims to be;
- ``signatures``: each signature checked by pyHanko and matched to its signatory;
- ``revisions``: each revision a copy gained, compared with the package;
- ``bytes``: every byte of a signature value accounted for.

Nothing is imported here, so that importing one module loads only what it needs.
"""
