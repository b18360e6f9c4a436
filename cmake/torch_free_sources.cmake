# The sources that need no LibTorch (core, the data file readers, the run store, the graph generators, BOHB's TPE), for the side
# projects that compile them again with sanitizers: tests/sanitize and bench/fuzz.
set(PARETONAS_TORCH_FREE_SOURCES)
foreach(source
    core/error.cpp core/files.cpp core/architecture.cpp core/architecture_json.cpp core/json_text.cpp core/builders.cpp
    core/costs.cpp core/memory.cpp core/density.cpp core/pareto.cpp core/seeds.cpp core/morphism_record.cpp core/candidate.cpp
    core/objectives.cpp core/rank_correlation.cpp
    data/dataset.cpp data/idx.cpp data/cifar.cpp data/images.cpp data/augmentation.cpp
    store/run_store.cpp store/finals.cpp store/samples.cpp bo/tpe.cpp
    generator/random_graph.cpp generator/generator_params.cpp generator/hierarchical.cpp generator/generator_costs.cpp)
  list(APPEND PARETONAS_TORCH_FREE_SOURCES ${CMAKE_CURRENT_LIST_DIR}/../src/${source})
endforeach()
