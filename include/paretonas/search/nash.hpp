/// @file search/nash.hpp
/// NASH (Elsken, Metzen, Hutter 2017): hill climbing over network morphisms with short SGDR
/// runs. The start network trains from scratch (generation 0); each step (a generation) makes
/// `neighbours` children of the incumbent by `morphisms_per_child` random exact morphisms and
/// trains each, and the incumbent itself, for one cosine cycle from the incumbent's weights; the
/// best on validation error becomes the next incumbent. Every candidate is a stored candidate,
/// so NASH resumes after a kill, and its front (validation error alone: the best network) works
/// with report, export and finalize. Each step's best is an SGDR snapshot: their averaged
/// predictions form a snapshot ensemble (ensemble_error). Registered as "nash"
/// (docs/methods/nash.md).
#ifndef PARETONAS_SEARCH_NASH_HPP
#define PARETONAS_SEARCH_NASH_HPP

#include <paretonas/search/generational.hpp>
#include <paretonas/train/network.hpp>

namespace paretonas {

struct NashSettings {
    int steps = 1000;              // the budget usually ends the run first
    int neighbours = 3;            // children per step; the incumbent competes as well
    int morphisms_per_child = 2;
    int epochs_initial = 2;        // the start network, from scratch
    int epochs_neighbour = 1;      // each child and the incumbent, per step
    double lr_start = 0.05, lr_end = 0.0;
    int batch_size = 128;
    double weight_decay = 5e-4;
    int latency_repeats = 30;
    std::vector<MorphOp> operators = {MorphOp::deepen, MorphOp::widen, MorphOp::add_skip, MorphOp::concat_skip};
    /// The start network; empty (no nodes): the built-in default for the data.
    Architecture start;
    bool has_start = false;

    /// "paper": true fills what is not given with the paper's CIFAR-10 settings: 8 steps of 8
    /// neighbours (7 children and the incumbent), 5 morphisms each, 17 epochs per neighbour,
    /// lr 0.05 -> 0, weight decay 5e-4, 20 epochs for the start network.
    static NashSettings from_json(const nlohmann::json& settings);
    nlohmann::json to_json() const;
    void validate() const;
    TrainingRecipe recipe() const;
};

/// The incumbent after `generation`: the best finished candidate of the latest generation up to
/// `generation` that has one (lowest validation error, then lowest id).
const Candidate* nash_incumbent(const std::vector<Candidate>& all, int generation);

/// Error of the averaged softmax outputs of `members` on `data`.
double ensemble_error(std::vector<Network>& members, const DataView& data, const Normalization& norm, c10::Device device);

MethodSpec nash_method();

} // namespace paretonas

#endif
