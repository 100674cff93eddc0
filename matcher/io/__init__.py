"""Load & validate: the questionnaire files, the config, pin/forbid/history files → a Cohort."""
