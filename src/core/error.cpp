#include <paretonas/core/error.hpp>

#include <sstream>

namespace paretonas {

void fail(const std::string& message) { throw InputError(message); }

void require_in_range(const std::string& name, double value, double lo, double hi)
{
    if (value >= lo && value <= hi) return;
    std::ostringstream os;
    os << name << " must be in [" << lo << ", " << hi << "], got " << value;
    fail(os.str());
}

} // namespace paretonas
