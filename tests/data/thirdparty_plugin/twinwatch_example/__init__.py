"""An example third-party twinwatch plugin (installed only by twinwatch's tests)."""
