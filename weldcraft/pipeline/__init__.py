"""The main job behind ``weldcraft run``: demos → train → held-out evaluation → export → report.

``run_pipeline(settings, out_dir, meta, observer)`` (`weldcraft.pipeline.runner`) runs the five stages
into one output folder; `RunSettings` (`weldcraft.pipeline.settings`) holds what they need. Each stage is
its own module: `record` (Craftsman demos into a Minari dataset), `learn` (the policy preset),
`evaluation` (policy and Craftsman on the same held-out seams), `export_stage` (the policy's weld of one
held-out seam to every format), `report_stage` (the HTML report); `welds` rolls out the shown welds in the
evaluation's env. See docs/run.md. Importing this package is cheap (torch and pybullet load per stage).
"""
