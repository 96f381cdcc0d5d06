// Stands in for the Bootstrap and jQuery scripts django-cas-server loads from public CDNs.
