package netlabtest

// PrivilegedEnv names the variable that scripts/test-privileged.sh sets
// to 1: then a privileged test lacking privileges fails instead of
// skipping.
const PrivilegedEnv = "RAWKIT_PRIVILEGED"
