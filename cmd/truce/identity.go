package main

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	osuser "os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/truce-mechanism/truce/access"
	"github.com/truce-mechanism/truce/store"
)

// storeFlags adds --data and --store to commands that work directly on a
// data folder or a PostgreSQL store.
func storeFlags(data, storeURL *string, cmds ...*cobra.Command) {
	for _, c := range cmds {
		c.Flags().StringVar(data, "data", defaultDataDir, "data folder of the embedded store")
		c.Flags().StringVar(storeURL, "store", "", "PostgreSQL URL instead of the embedded store")
	}
}

func newOrgCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "org", Short: "Register and list organisations (participants, parties, observers)"}
	var data, storeURL, name, kind string
	var commission bool
	add := &cobra.Command{
		Use:   "add CODE --name NAME [--kind lead|participant|party|observer] [--commission]",
		Short: "Register an organisation, or change its name, kind or Commission membership",
		Long: `Register an organisation. Its CODE (ISO 3166-1 alpha-3 or a short organisation
code: USA, UKR, GBR, OSCE) is what REL TO markings name.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o := access.Organisation{Code: args[0], Name: name, Kind: kind, Commission: commission, Created: time.Now().UTC()}
			if err := o.Validate(); err != nil {
				return err
			}
			st, err := openStore(cmd.Context(), data, storeURL)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.PutOrganisation(cmd.Context(), o); err != nil {
				return err
			}
			if err := cliAudit(cmd, st, "org", o.Code, fmt.Sprintf("registered: %s, %s, commission %v", o.Name, o.Kind, o.Commission)); err != nil {
				return err
			}
			member := ""
			if commission {
				member = ", member of the Commission"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "organisation %s registered (%s, %s%s)\n", o.Code, o.Name, o.Kind, member)
			return nil
		},
	}
	add.Flags().StringVar(&name, "name", "", "the organisation's name (required)")
	add.Flags().StringVar(&kind, "kind", access.KindParticipant, "lead, participant, party or observer")
	add.Flags().BoolVar(&commission, "commission", false, "the organisation sits on the Special Commission")
	_ = add.MarkFlagRequired("name")
	list := &cobra.Command{
		Use:   "list",
		Short: "List organisations",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openStore(cmd.Context(), data, storeURL)
			if err != nil {
				return err
			}
			defer st.Close()
			orgs, err := st.Organisations(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CODE\tNAME\tKIND\tCOMMISSION")
			for _, o := range orgs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", o.Code, o.Name, o.Kind, o.Commission)
			}
			return tw.Flush()
		},
	}
	storeFlags(&data, &storeURL, add, list)
	cmd.AddCommand(add, list)
	return cmd
}

func newUserCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Register and list users"}
	var data, storeURL, org string
	var roles []string
	var disabled bool
	add := &cobra.Command{
		Use:   "add NAME --org CODE --role ROLE[,ROLE…] [--disabled]",
		Short: "Register a user, or change its organisation, roles or state",
		Long:  "Roles: " + strings.Join(access.Roles, ", ") + ".",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			u := access.User{Name: args[0], Org: org, Roles: roles, Disabled: disabled, Created: time.Now().UTC()}
			if err := u.Validate(); err != nil {
				return err
			}
			st, err := openStore(cmd.Context(), data, storeURL)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.PutUser(cmd.Context(), u); err != nil {
				return fmt.Errorf("%w (register the organisation first with `truce org add`)", err)
			}
			if err := cliAudit(cmd, st, "user", u.Name, fmt.Sprintf("registered: %s, %s, disabled %v", u.Org, strings.Join(u.Roles, ","), u.Disabled)); err != nil {
				return err
			}
			state := ""
			if disabled {
				state = ", disabled"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "user %s registered (%s, %s%s)\n", u.Name, u.Org, strings.Join(u.Roles, ", "), state)
			return nil
		},
	}
	add.Flags().StringVar(&org, "org", "", "organisation code (required)")
	add.Flags().StringSliceVar(&roles, "role", nil, "role(s), comma-separated or repeated (required)")
	add.Flags().BoolVar(&disabled, "disabled", false, "the user may not act (its tokens stop working)")
	_ = add.MarkFlagRequired("org")
	_ = add.MarkFlagRequired("role")
	list := &cobra.Command{
		Use:   "list",
		Short: "List users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openStore(cmd.Context(), data, storeURL)
			if err != nil {
				return err
			}
			defer st.Close()
			users, err := st.Users(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tORG\tROLES\tDISABLED")
			for _, u := range users {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", u.Name, u.Org, strings.Join(u.Roles, ","), u.Disabled)
			}
			return tw.Flush()
		},
	}
	passwd := &cobra.Command{
		Use:   "passwd NAME",
		Short: "Set a user's password for browser login (read from standard input)",
		Long: fmt.Sprintf(`Set a user's password for browser login. The password is read from the first
line of standard input (at least %d characters) and kept only as an argon2id hash.`, access.MinPasswordLength),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
			if err != nil && line == "" {
				return errors.New("give the password on standard input")
			}
			hash, err := access.HashPassword(strings.TrimRight(line, "\r\n"), rand.Reader)
			if err != nil {
				return err
			}
			st, err := openStore(cmd.Context(), data, storeURL)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.SetPassword(cmd.Context(), args[0], hash); err != nil {
				return err
			}
			if err := cliAudit(cmd, st, "user", args[0], "password set"); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "password of %s set\n", args[0])
			return nil
		},
	}
	storeFlags(&data, &storeURL, add, list, passwd)
	cmd.AddCommand(add, list, passwd)
	return cmd
}

// defaultTokenLifetime is how long a token lives unless --ttl says
// otherwise: long enough for a field deployment, short enough that a lost
// token dies on its own.
const defaultTokenLifetime = 90 * 24 * time.Hour

func newTokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Create, list and revoke API tokens"}
	var data, storeURL, user string
	var scopes []string
	var ttl time.Duration
	create := &cobra.Command{
		Use:   "create --user NAME [--scope submit,withdraw,release,act] [--ttl 2160h]",
		Short: "Create an API token; it is printed once, as the last line",
		Long: `Create an API token for a user. The token is printed once, as the last line of
the output, and never stored: keep it. Without --scope it may only read; a scope
never gives more than the user's roles allow.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var acts []access.Action
			for _, s := range scopes {
				acts = append(acts, access.Action(s))
			}
			st, err := openStore(cmd.Context(), data, storeURL)
			if err != nil {
				return err
			}
			defer st.Close()
			if _, err := st.User(cmd.Context(), user); err != nil {
				return fmt.Errorf("--user: %w", err)
			}
			tok, text, err := access.NewToken(user, acts, time.Now().UTC(), ttl, rand.Reader)
			if err != nil {
				return fmt.Errorf("--scope/--ttl: %w", err)
			}
			if err := st.PutToken(cmd.Context(), tok); err != nil {
				return err
			}
			if err := cliAudit(cmd, st, "token", tok.ID, fmt.Sprintf("created for %s, scopes [%s], expires %s", user, store.ScopesText(tok.Scopes), tok.Expires.Format(time.RFC3339))); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "token %s for %s, scopes [%s], expires %s\n", tok.ID, user, store.ScopesText(tok.Scopes), tok.Expires.Format(time.RFC3339))
			fmt.Fprintln(out, "it is shown this once; send it as: Authorization: Bearer <token>")
			fmt.Fprintln(out, text)
			return nil
		},
	}
	create.Flags().StringVar(&user, "user", "", "the user the token acts for (required)")
	create.Flags().StringSliceVar(&scopes, "scope", nil, "actions the token may take: submit, withdraw, release, act (the Commission's and guarantees' acts) (default: read only)")
	create.Flags().DurationVar(&ttl, "ttl", defaultTokenLifetime, "lifetime")
	_ = create.MarkFlagRequired("user")

	list := &cobra.Command{
		Use:   "list --user NAME",
		Short: "List a user's tokens (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openStore(cmd.Context(), data, storeURL)
			if err != nil {
				return err
			}
			defer st.Close()
			toks, err := st.Tokens(cmd.Context(), user)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSCOPES\tCREATED\tEXPIRES\tREVOKED")
			for _, t := range toks {
				revoked := "-"
				if !t.Revoked.IsZero() {
					revoked = t.Revoked.Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, store.ScopesText(t.Scopes), t.Created.Format(time.RFC3339), t.Expires.Format(time.RFC3339), revoked)
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&user, "user", "", "the user (required)")
	_ = list.MarkFlagRequired("user")

	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token at once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openStore(cmd.Context(), data, storeURL)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.RevokeToken(cmd.Context(), args[0], time.Now().UTC()); err != nil {
				return err
			}
			if err := cliAudit(cmd, st, "token", args[0], "revoked"); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "token %s revoked\n", args[0])
			return nil
		},
	}
	storeFlags(&data, &storeURL, create, list, revoke)
	cmd.AddCommand(create, list, revoke)
	return cmd
}

// cliAudit records a change made from the command line in the audit
// trail, attributed to the operating-system account that ran it.
func cliAudit(cmd *cobra.Command, st store.Store, action, target, detail string) error {
	actor := "cli:unknown"
	if u, err := osuser.Current(); err == nil {
		actor = "cli:" + u.Username
	}
	_, err := st.AppendAudit(cmd.Context(), []store.AuditEvent{{At: time.Now().UTC(), Actor: actor, Action: action, Target: target, Detail: detail}})
	return err
}
