"""Change lists: titles, the store column, and lists over big tables."""

from django.contrib.admin.options import ShowFacets

from config.ids import id_or_none


class ChangeListTitleMixin:
    """A change list titled by what it shows ("Fulfillment queue"), not "Select ... to change"."""

    changelist_title = None

    def changelist_view(self, request, extra_context=None):
        if self.changelist_title:
            extra_context = {"title": self.changelist_title, **(extra_context or {})}
        return super().changelist_view(request, extra_context)


class StoreColumnMixin:
    """Lists filtered to one store leave out their store column (room for the others)."""

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if id_or_none(request.GET.get("store", "")) is not None:
            return [column for column in columns if column != "store"]
        return columns


class BigListMixin:
    """A list over a big table: newest first by id (the primary key's index, no sort of the
    table), no full count, no facets, and without the big columns its rows do not show."""

    ordering = ["-id"]
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    list_per_page = 100
    # Columns (JSON documents, addresses) a row of the list never shows.
    list_defer: tuple[str, ...] = ()
    # Filter parameter -> the ordering an index serves once it is applied (e.g. the store
    # filter and a (store, -created_at) index): newest first without sorting the store's rows.
    indexed_orderings: dict[str, list[str]] = {}

    def get_ordering(self, request):
        for parameter, ordering in self.indexed_orderings.items():
            if request.GET.get(parameter):
                return ordering
        return super().get_ordering(request)

    def page_annotate(self, rows: list) -> None:
        """Add to a page's rows what is counted elsewhere, in queries per page, not per row.

        A correlated subquery in the list's SELECT would be computed for every row a deep page
        skips as well (OFFSET), so counts are read once the page is known."""

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        model_admin, deferred = self, self.list_defer

        class BigChangeList(changelist):
            def get_queryset(self, request, exclude_parameters=None):
                queryset = super().get_queryset(request, exclude_parameters)
                return queryset.defer(*deferred) if deferred else queryset

            def get_results(self, request):
                super().get_results(request)
                # The page's ids first (an index scan, however deep the page), then its rows:
                # the joins are made for 100 rows, not for every row an OFFSET skips.
                ids = list(self.result_list.values_list("pk", flat=True))
                rows = self.queryset.order_by().filter(pk__in=ids) if ids else []
                position = {pk: index for index, pk in enumerate(ids)}
                self.result_list = sorted(rows, key=lambda row: position[row.pk])
                model_admin.page_annotate(self.result_list)

        return BigChangeList
