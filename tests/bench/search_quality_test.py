#!/usr/bin/python3
"""bench/search_quality.py: hypervolume, the conservative per-candidate times it reads from a
run store, and the commands it runs for each method."""
import importlib.util
import json
import os
import sqlite3
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
spec = importlib.util.spec_from_file_location("search_quality", os.path.join(ROOT, "bench", "search_quality.py"))
sq = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sq)


def write_run(directory, candidates, closes, elapsed):
    """A run store with only what the harness reads: candidates (generation, status, error,
    params, seconds[, data]) in id order, generation closing times, and the run's elapsed seconds.
    Without data, the candidates table is schema 1's, which had no data column."""
    os.makedirs(directory)
    db = sqlite3.connect(os.path.join(directory, "run.db"))
    db.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    with_data = any(len(c) == 6 for c in candidates)
    db.execute("CREATE TABLE candidates(id INTEGER PRIMARY KEY, generation INTEGER, status TEXT, val_error REAL, params INTEGER, seconds REAL"
               + (", data TEXT NOT NULL DEFAULT '{}')" if with_data else ")"))
    if with_data:
        candidates = [c if len(c) == 6 else c + ("{}",) for c in candidates]
    db.execute("CREATE TABLE generations(generation INTEGER PRIMARY KEY, front TEXT, hypervolume REAL, seconds REAL)")
    db.execute("INSERT INTO meta VALUES('elapsed', ?)", (json.dumps(elapsed),))
    db.executemany("INSERT INTO candidates(generation, status, val_error, params, seconds" + (", data) VALUES(?, ?, ?, ?, ?, ?)" if with_data
                   else ") VALUES(?, ?, ?, ?, ?)"), candidates)
    db.executemany("INSERT INTO generations VALUES(?, '[]', 0, ?)", closes)
    db.commit()
    db.close()


class HypervolumeTest(unittest.TestCase):
    def test_two_points_by_hand(self):
        # Reference (1, 8): (cost 2, error .5) covers [2,4)x.5, then (cost 4, error .25) covers [4,8)x.75.
        self.assertAlmostEqual(sq.hypervolume([(0.5, 2.0), (0.25, 4.0)]), 0.5 * 2 + 0.75 * 4)

    def test_dominated_and_outside_points_add_nothing(self):
        alone = sq.hypervolume([(0.5, 2.0)])
        self.assertAlmostEqual(sq.hypervolume([(0.5, 2.0), (0.6, 3.0), (1.2, 1.0), (0.1, 9.0)]), alone)

    def test_empty_front_is_zero(self):
        self.assertEqual(sq.hypervolume([]), 0.0)


class ParetonasCurveTest(unittest.TestCase):
    def test_candidates_finish_no_earlier_than_their_generation_allows(self):
        with tempfile.TemporaryDirectory() as tmp:
            run = os.path.join(tmp, "run")
            write_run(run, [(0, "done", 0.5, 100, 3.0), (0, "failed", 1.0, 10, 1.0), (0, "done", 0.3, 10000, 4.0),
                            (1, "done", 0.2, 1000, 5.0), (1, "queued", 0.0, 50, 0.0)],
                      closes=[(0, 10.0)], elapsed=20.0)
            curve = sq.paretonas_curve(run)
        self.assertEqual(len(curve), 3)  # the failed and the queued candidate do not count
        # Generation 0 closed at 10 s: its last candidate then, the one before it 4 s (its successor's training) earlier.
        # Generation 1 never closed: its candidate counts at the run's elapsed time.
        self.assertEqual([t for t, _ in curve], [6.0, 10.0, 20.0])
        self.assertAlmostEqual(curve[0][1], sq.hypervolume([(0.5, 2.0)]))
        self.assertAlmostEqual(curve[2][1], sq.hypervolume([(0.5, 2.0), (0.3, 4.0), (0.2, 3.0)]))
        self.assertEqual(sq.at(curve, 5.9), 0.0)
        self.assertEqual(sq.at(curve, 10.0), curve[1][1])

    def test_a_candidate_counts_when_it_finished_where_the_run_stored_it(self):
        # Candidate 2 was deferred in generation 0 and trained at 25 s, after generation 1 closed.
        with tempfile.TemporaryDirectory() as tmp:
            run = os.path.join(tmp, "run")
            write_run(run, [(0, "done", 0.5, 100, 3.0, '{"finished_at": 3.0}'), (0, "done", 0.1, 10, 4.0, '{"finished_at": 25.0}'),
                            (1, "done", 0.4, 100, 5.0, '{"finished_at": 12.0}'), (1, "done", 0.3, 100, 5.0)],
                      closes=[(0, 8.0), (1, 20.0)], elapsed=30.0)
            curve = sq.paretonas_curve(run)
        # The last one stored no time: its generation's close.
        self.assertEqual([t for t, _ in curve], [3.0, 12.0, 20.0, 25.0])
        self.assertAlmostEqual(curve[2][1], sq.hypervolume([(0.5, 2.0), (0.4, 2.0), (0.3, 2.0)]))
        self.assertAlmostEqual(curve[3][1], sq.hypervolume([(0.3, 2.0), (0.1, 1.0)]))

    def test_a_run_killed_before_its_first_candidate_has_an_empty_curve(self):
        with tempfile.TemporaryDirectory() as tmp:
            run = os.path.join(tmp, "run")
            write_run(run, [(0, "queued", 0.0, 100, 0.0)], closes=[], elapsed=None)
            sqlite3.connect(os.path.join(run, "run.db")).execute("DELETE FROM meta").connection.commit()
            self.assertEqual(sq.paretonas_curve(run), [])


@unittest.skipUnless(os.environ.get("PARETONAS_BINARY"), "PARETONAS_BINARY names the paretonas binary (ctest sets it)")
class CommandTest(unittest.TestCase):
    class Args:
        subset, val, population, threads = 15000, 5000, 16, 1
        paretonas = os.environ.get("PARETONAS_BINARY", "paretonas")

    def test_every_method_gets_the_same_data_budget_and_threads(self):
        for method in ("lemonade", "nsga2", "random", "nago", "nago-random", "optuna", "optuna-aug"):
            command = sq.search_command(self.Args, method, 3, 1200.0, "out/x")
            text = " ".join(command)
            self.assertIn("--threads 1", text, method)
            self.assertIn("--seed 3", text, method)
            # The from-scratch methods get the peer's population and epochs (read from their
            # help); LEMONADE runs its defaults, as the main job does.
            self.assertEqual("--population 16" in text, method in ("nsga2", "random", "optuna", "optuna-aug"), method)
            peer = sq.is_peer(method)
            self.assertEqual("--channels-last" in command, peer, method)
            self.assertEqual((sq.search_env(method) or {}).get("MALLOC_MMAP_MAX_"), "0" if peer else None, method)
            if peer:
                self.assertIn("--subset 15000 --val 5000 --epochs 1", text)
                self.assertIn("--budget 1200.0", text)
                self.assertIn(" ".join(sq.PEER_RECIPE), text)
                self.assertEqual("--no-augment" in command, method == "optuna", method)
            else:
                self.assertIn("--subset 15000 --val-fraction 0.333", text)
                self.assertIn("--budget 1200s", text)
                self.assertEqual("--epochs-init 1" in text, method != "lemonade", method)
                self.assertNotIn("--epochs-child", text)
                self.assertIn("--method " + method.split("-")[0], text)
                self.assertEqual("--proposer random" in text, method == "nago-random", method)

    def test_the_strongest_peer_is_the_better_variant_at_each_budget(self):
        results = {"lemonade": [{"hypervolume": [1, 2]}],
                   "optuna": [{"hypervolume": [3, 1]}, {"hypervolume": [3, 1]}],
                   "optuna-aug": [{"hypervolume": [2, 2]}, {"hypervolume": [2, 4]}]}
        self.assertEqual(sq.strongest_peer(results), [("optuna", 3.0), ("optuna-aug", 3.0)])
        self.assertEqual(sq.strongest_peer({"lemonade": results["lemonade"]}), [])

if __name__ == "__main__":
    unittest.main()
