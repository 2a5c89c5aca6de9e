"""Signing: the packages parties sign, and the checks of the signed copies that come back.

One job per module: ``packages`` (who signs where, and the PDF and DOCX packages),
``fields`` (the empty signature fields added to a rendered PDF), ``originals`` (the package
a returned copy claims to be), ``revisions`` (each revision a copy gained, compared with the
package) and ``bytes`` (every byte of a signature value accounted for).

Nothing is imported here, so that importing one module loads only what it needs.
"""
