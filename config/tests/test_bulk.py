"""Bulk helpers: the garbage collector's setting during bulk work."""

import gc
import threading

from config.bulk import BULK_GC_THRESHOLD, bulk_allocations


def test_the_collector_runs_less_often_during_bulk_work_and_as_before_after_it():
    before = gc.get_threshold()
    with bulk_allocations():
        assert gc.get_threshold() == (max(BULK_GC_THRESHOLD, before[0]), *before[1:])
    assert gc.get_threshold() == before


def test_overlapping_bulk_work_in_two_threads_restores_the_setting_after_the_last():
    before = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with bulk_allocations():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with bulk_allocations():
            second_in.set()
            first_out.wait(5)
            seen["while the second still runs"] = gc.get_threshold()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen["while the second still runs"][0] == max(BULK_GC_THRESHOLD, before[0])
    assert gc.get_threshold() == before


def test_an_error_in_bulk_work_restores_the_setting():
    before = gc.get_threshold()
    try:
        with bulk_allocations():
            raise ValueError("the page could not be written")
    except ValueError:
        pass
    assert gc.get_threshold() == before
