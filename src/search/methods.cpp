// The built-in search methods: one line each. A method of its own (a test's, a plug-in's)
// calls register_method() instead.
#include <paretonas/search/method.hpp>
#include <paretonas/search/baselines.hpp>
#include <paretonas/search/lemonade.hpp>
#include <paretonas/search/nago.hpp>
#include <paretonas/search/nash.hpp>

namespace paretonas {

void register_builtin_methods(const std::function<void(MethodSpec)>& add)
{
    add(lemonade_method());
    add(nsga2_method());
    add(random_search_method());
    add(nash_method());
    add(nago_method());
}

} // namespace paretonas
