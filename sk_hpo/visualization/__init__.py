"""Plots of a study, in scikit-learn's Display style (matplotlib, the ``plot`` extra).

Each plot comes in three layers: ``<name>_data(study, ...)`` computes what is drawn without
matplotlib; ``<Name>Display.from_study(study, ...)`` holds that data and ``.plot(ax=None)``
draws it; ``plot_<name>(study, ...)`` does both and returns the matplotlib Axes. Every
function takes a :class:`~sk_hpo.Study` or a fitted :class:`~sk_hpo.HPOSearchCV`.

matplotlib is imported on the first draw; without it, plotting raises an ImportError that
says how to install it (``pip install "sk-hpo[plot]"``).
"""

from __future__ import annotations

from sk_hpo.visualization._contour import (
    ContourData,
    ContourDisplay,
    ContourPair,
    contour_data,
    plot_contour,
)
from sk_hpo.visualization._edf import EDFData, EDFDisplay, edf_data, plot_edf
from sk_hpo.visualization._hypervolume_history import (
    HypervolumeHistoryData,
    HypervolumeHistoryDisplay,
    hypervolume_history_data,
    plot_hypervolume_history,
)
from sk_hpo.visualization._intermediate_values import (
    IntermediateValuesData,
    IntermediateValuesDisplay,
    intermediate_values_data,
    plot_intermediate_values,
)
from sk_hpo.visualization._optimization_history import (
    OptimizationHistoryData,
    OptimizationHistoryDisplay,
    optimization_history_data,
    plot_optimization_history,
)
from sk_hpo.visualization._parallel_coordinate import (
    ParallelCoordinateData,
    ParallelCoordinateDisplay,
    parallel_coordinate_data,
    plot_parallel_coordinate,
)
from sk_hpo.visualization._param_importances import (
    ParamImportancesData,
    ParamImportancesDisplay,
    param_importances_data,
    plot_param_importances,
)
from sk_hpo.visualization._pareto_front import (
    ParetoFrontData,
    ParetoFrontDisplay,
    pareto_front_data,
    plot_pareto_front,
)
from sk_hpo.visualization._slice import SliceData, SliceDisplay, plot_slice, slice_data
from sk_hpo.visualization._timeline import (
    TimelineData,
    TimelineDisplay,
    plot_timeline,
    timeline_data,
)

__all__ = [
    "ContourData",
    "ContourDisplay",
    "ContourPair",
    "EDFData",
    "EDFDisplay",
    "HypervolumeHistoryData",
    "HypervolumeHistoryDisplay",
    "IntermediateValuesData",
    "IntermediateValuesDisplay",
    "OptimizationHistoryData",
    "OptimizationHistoryDisplay",
    "ParallelCoordinateData",
    "ParallelCoordinateDisplay",
    "ParamImportancesData",
    "ParamImportancesDisplay",
    "ParetoFrontData",
    "ParetoFrontDisplay",
    "SliceData",
    "SliceDisplay",
    "TimelineData",
    "TimelineDisplay",
    "contour_data",
    "edf_data",
    "hypervolume_history_data",
    "intermediate_values_data",
    "optimization_history_data",
    "parallel_coordinate_data",
    "param_importances_data",
    "pareto_front_data",
    "plot_contour",
    "plot_edf",
    "plot_hypervolume_history",
    "plot_intermediate_values",
    "plot_optimization_history",
    "plot_parallel_coordinate",
    "plot_param_importances",
    "plot_pareto_front",
    "plot_slice",
    "plot_timeline",
    "slice_data",
    "timeline_data",
]
