// findBy*/waitFor wait for what the screen eventually shows, not for how fast: speed is measured in
// bench/, never here. RNTL's 1 s default failed on CI's two shared cores with the content already
// rendered a moment later (account-screen's retry), so the default wait is the suite's, not a stopwatch.
import { configure } from '@testing-library/react-native';

configure({ asyncUtilTimeout: 5000 });
