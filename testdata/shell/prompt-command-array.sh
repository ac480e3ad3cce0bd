# PROMPT_COMMAND as an array (bash 5.1) of the user's own commands.
_prompts=0
PROMPT_COMMAND=('_prompts=$((_prompts + 1))' 'true')
