"""Public verification of signed results (issue 18): ``/verify/<token>``, printed with a QR code
on every result, says whether the result is genuine and checks an uploaded PDF byte for byte."""
from portal.verify.views import verify_bp

__all__ = ["verify_bp"]
