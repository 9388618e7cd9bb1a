admin_urlpatterns: list = []
store_urlpatterns: list = []
