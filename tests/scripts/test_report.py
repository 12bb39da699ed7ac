"""bench/report.py's arithmetic on a made-up raw.json: the share of peak
comes from the run's own fma_peak rows (never bench_kernels' start-up
counter), threaded rows are divided by the threads, a peak that moved by
more than 10 % is reported, and a report is not overwritten by default."""
import json
import pathlib
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(ROOT / "bench"))
import report  # noqa: E402


def raw(peaks, rows, threads=2):
    bench = [{"name": f"fma_peak/{lvl}/{when}", "GFLOPS": v} for (lvl, when), v in peaks.items()]
    bench += [{"name": n, "GFLOPS": g, "pct_peak": 999.0} for n, g in rows.items()]
    return {"context": {"threads": str(threads), "variants": "scalar avx2 omp"}, "benchmarks": bench}


class Report(unittest.TestCase):
    def load(self, data):
        with tempfile.TemporaryDirectory() as d:
            p = pathlib.Path(d) / "raw.json"
            p.write_text(json.dumps(data))
            return report.load(p)

    def test_share_uses_the_runs_peak(self):
        _, rows, peaks = self.load(raw({("avx2", "start"): 100.0, ("avx2", "end"): 80.0,
                                        ("avx512", "start"): 50.0, ("avx512", "end"): 50.0},
                                       {"gemm_nn/avx2/8x8x8": 45.0, "gemm_nn/omp/8x8x8": 90.0}))
        self.assertAlmostEqual(report.core_peak(peaks), 90.0)
        self.assertAlmostEqual(rows[("gemm_nn", "8x8x8")]["avx2"][2], 50.0)
        self.assertAlmostEqual(rows[("gemm_nn", "8x8x8")]["omp"][2], 50.0)  # 2 threads
        self.assertEqual(report.drift(peaks), ["avx2 100.0 → 80.0"])

    def test_steady_peak_no_warning(self):
        _, _, peaks = self.load(raw({("avx2", "start"): 100.0, ("avx2", "end"): 95.0}, {}))
        self.assertEqual(report.drift(peaks), [])
        self.assertNotIn("Warning", "\n".join(report.header({}, peaks, "cpu")))

    def test_drifted_is_the_e2e_tables_test_too(self):
        self.assertTrue(report.drifted(100.0, 89.0))
        self.assertFalse(report.drifted(100.0, 91.0))
        self.assertFalse(report.drifted(0.0, 50.0))  # an unmeasured level never warns

    def test_old_raw_has_one_peak_per_level(self):
        data = {"context": {}, "benchmarks": [{"name": "fma_peak/avx2", "GFLOPS": 64.0},
                                              {"name": "gemm_nn/avx2/4x4x4", "GFLOPS": 32.0}]}
        _, rows, peaks = self.load(data)
        self.assertEqual(peaks, {"avx2": {"start": 64.0, "end": 64.0}})
        self.assertAlmostEqual(rows[("gemm_nn", "4x4x4")]["avx2"][2], 50.0)

    def test_existing_report_is_kept(self):
        with tempfile.TemporaryDirectory() as d:
            (pathlib.Path(d) / "report.md").write_text("keep me\n")
            r = subprocess.run([sys.executable, str(ROOT / "bench" / "report.py"), "--out", d,
                                "--build", "/nonexistent"], capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("--replace", r.stderr)
            self.assertEqual((pathlib.Path(d) / "report.md").read_text(), "keep me\n")


if __name__ == "__main__":
    unittest.main()
