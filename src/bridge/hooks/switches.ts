// Switch statements with their cases grouped by shared body, read through preprocessor
// conditionals: src/c's findSwitchCases does it (the rules read madvise switches the same
// way); this name stays for the bridge's collectors.
export { findSwitchCases as switchCases } from '../../c/index';
