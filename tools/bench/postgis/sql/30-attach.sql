-- Step "attach": every measurement joins the best cluster of fixes it
-- fits (attach.sql with pass 1, which run.sh runs after this file in
-- parallel sessions); what fits none waits for step "crossings".
CREATE UNLOGGED TABLE assign (
    seq     bigint NOT NULL,
    m_space text NOT NULL,
    cid     bigint NOT NULL,
    space   text NOT NULL,
    score   float8 NOT NULL,
    PRIMARY KEY (seq, m_space)
);
