"""Every write of the letzshop app and every call to Letzshop (DESIGN.md "Inside an app")."""
